// Stands in for the Api's thread-meta DEK store: holds the material the server got at thread creation.
using System.Collections.Concurrent;
using Prg.Crypto;

namespace Prg.Kms.Tests;

internal sealed class MemoryDekStore : IDekStore
{
    private readonly ConcurrentDictionary<string, ThreadKeyMaterial> _materials = new(StringComparer.Ordinal);

    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_materials.GetValueOrDefault(keyId));

    public ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        _materials[material.KeyId] = material;
        return ValueTask.CompletedTask;
    }
}
