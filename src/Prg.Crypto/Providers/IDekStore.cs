// Where the embedded provider finds and saves wrapped DEKs. The Api layer implements it on thread
// metadata (the "kms" block of thread:<id>:meta), which makes the thread meta the DEK store.
namespace Prg.Crypto;

/// <summary>Durable storage of <see cref="ThreadKeyMaterial"/> by key id.</summary>
public interface IDekStore
{
    /// <summary>The material stored for <paramref name="keyId"/>, or null if there is none.</summary>
    ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Durably replaces the stored material of <c>material.KeyId</c> (DEK rotation, KEK rewrap)
    /// before returning. The provider serialises its own calls per key id; the implementation must
    /// keep the rest of the record (the thread meta) intact.
    /// </summary>
    ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken);
}
