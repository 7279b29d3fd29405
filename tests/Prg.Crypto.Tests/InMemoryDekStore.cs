// An IDekStore for tests: material kept as serialized JSON (so every read goes through the real
// parser, as the Api's thread-meta store will), with call counters.
using System.Collections.Concurrent;

namespace Prg.Crypto.Tests;

internal sealed class InMemoryDekStore : IDekStore
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

    /// <summary>What the Api does with DekInfo.Material in the thread-creating write.</summary>
    public void Put(ThreadKeyMaterial material) => _json[material.KeyId] = material.ToUtf8Json();

    public ThreadKeyMaterial Get(string keyId) => ThreadKeyMaterial.Parse(_json[keyId]);
}
