// A DEK store that holds nothing: makes an embedded provider mint fresh material for any key id.
using Prg.Crypto;

namespace Prg.Kms.Tests;

internal sealed class EmptyDekStore : IDekStore
{
    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken) => ValueTask.FromResult<ThreadKeyMaterial?>(null);

    public ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
