// The provider interface of the seed (spec/kms.md §3) in C#: provision a thread DEK, encrypt and
// decrypt data frames under it (single and batched), and rotate. Implemented in-process by
// EmbeddedKeyProvider and, for the external key service, by its client.
namespace Prg.Crypto;

/// <summary>Key provider: per-thread DEKs and data-frame encryption under them.</summary>
public interface IKeyProvider : IAsyncDisposable
{
    /// <summary>
    /// Provisions the DEK of a thread (key id <c>KeyIds.ForThread(threadId)</c>). Idempotent: if
    /// material for the key id already exists it is returned unchanged. The caller stores
    /// <see cref="DekInfo.Material"/> in the thread-creating write.
    /// </summary>
    ValueTask<DekInfo> CreateDekForThreadAsync(string threadId, CancellationToken cancellationToken = default);

    /// <summary>Encrypts under the key's current DEK version; returns a whole data frame.</summary>
    /// <exception cref="UnknownKeyException">The key id is unknown.</exception>
    ValueTask<byte[]> EncryptAsync(string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad, CancellationToken cancellationToken = default);

    /// <summary>Decrypts a data frame with the DEK version it names.</summary>
    /// <exception cref="MalformedFrameException">Not a data frame.</exception>
    /// <exception cref="FrameAuthenticationException">Tampered, moved, or wrong key.</exception>
    /// <exception cref="UnknownKeyException">Unknown key id or DEK version.</exception>
    ValueTask<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> frame, RecordAad aad, CancellationToken cancellationToken = default);

    /// <summary>Encrypts many plaintexts under one key's current DEK version, in order.</summary>
    ValueTask<byte[][]> EncryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Plaintext, RecordAad Aad)> items, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decrypts many frames of one key, in order, with a result per item (a bad frame fails only its
    /// item). An unknown key id fails the whole call with <see cref="UnknownKeyException"/>.
    /// </summary>
    ValueTask<DecryptResult[]> DecryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="DecryptBatchAsync"/> into one pooled buffer (a page of messages): the same per-item
    /// results, without an array per frame when the provider decrypts in process. Dispose the batch.
    /// </summary>
    ValueTask<DecryptedBatch> DecryptBatchPooledAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default) =>
        CopyResultsAsync(DecryptBatchAsync(keyId, items, cancellationToken));

    /// <summary>
    /// Adds a new DEK version and makes it current for encryption from the moment this returns;
    /// frames under older versions still decrypt. The new material is durably saved first.
    /// </summary>
    ValueTask<DekInfo> RotateDekAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-wraps every DEK version of the key under the current KEK (a step of a KEK rotation job),
    /// verifying each new wrap before saving. Returns at once if nothing needs rewrapping.
    /// </summary>
    ValueTask<DekInfo> RewrapDekAsync(string keyId, CancellationToken cancellationToken = default);

    private static async ValueTask<DecryptedBatch> CopyResultsAsync(ValueTask<DecryptResult[]> pending) =>
        DecryptedBatch.FromResults(await pending.ConfigureAwait(false));
}
