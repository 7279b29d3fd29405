// An IDekStore kept in memory as serialized JSON (every read goes through the real parser), for
// tests of RecordCipher without a ChatStore.
using System.Collections.Concurrent;
using Prg.Crypto;

namespace Prg.Api.Tests.Encryption;

internal sealed class MemoryDekStore : IDekStore
{
    private readonly ConcurrentDictionary<string, byte[]> _json = new(StringComparer.Ordinal);

    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_json.TryGetValue(keyId, out byte[]? json) ? ThreadKeyMaterial.Parse(json) : null);

    public ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        _json[material.KeyId] = material.ToUtf8Json();
        return ValueTask.CompletedTask;
    }

    /// <summary>What the thread-creating write does with the kms block.</summary>
    public void Put(byte[] kms) => _json[ThreadKeyMaterial.Parse(kms).KeyId] = kms;

    public byte[] Kms(string keyId) => _json[keyId];
}
