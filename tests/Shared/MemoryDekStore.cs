// An IDekStore kept in memory as serialized JSON (every read goes through the real parser, as the Api's
// thread-meta store does), with call counters. The one copy, linked into the tests and benchmarks.
using System.Collections.Concurrent;
using Prg.Crypto;

namespace Prg.Testing;

internal sealed class MemoryDekStore : IDekStore
{
    private readonly ConcurrentDictionary<string, byte[]> _json = new(StringComparer.Ordinal);
    private int _gets;
    private int _saves;

    public int Gets => Volatile.Read(ref _gets);

    public int Saves => Volatile.Read(ref _saves);

    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _gets);
        return ValueTask.FromResult(_json.TryGetValue(keyId, out byte[]? json) ? ThreadKeyMaterial.Parse(json) : null);
    }

    public ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _saves);
        _json[material.KeyId] = material.ToUtf8Json();
        return ValueTask.CompletedTask;
    }

    /// <summary>What the thread-creating write does with DekInfo.Material.</summary>
    public void Put(ThreadKeyMaterial material) => _json[material.KeyId] = material.ToUtf8Json();

    /// <summary>As <see cref="Put(ThreadKeyMaterial)"/>, from the kms block itself.</summary>
    public void Put(byte[] kms) => _json[ThreadKeyMaterial.Parse(kms).KeyId] = kms;

    public ThreadKeyMaterial Get(string keyId) => ThreadKeyMaterial.Parse(_json[keyId]);

    public byte[] Kms(string keyId) => _json[keyId];
}
