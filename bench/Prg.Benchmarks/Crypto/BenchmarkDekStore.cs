// A minimal in-memory DEK store for the provider benchmarks.
using System.Collections.Concurrent;
using Prg.Crypto;

namespace Prg.Benchmarks.Crypto;

internal sealed class BenchmarkDekStore : IDekStore
{
    private readonly ConcurrentDictionary<string, ThreadKeyMaterial> _materials = new(StringComparer.Ordinal);

    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_materials.GetValueOrDefault(keyId));

    public ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        _materials[material.KeyId] = material;
        return ValueTask.CompletedTask;
    }

    public void Put(ThreadKeyMaterial material) => _materials[material.KeyId] = material;
}
