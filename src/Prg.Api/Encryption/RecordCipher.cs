// Seals and opens what users write (titles, message bodies, versions) under the thread's DEK via the
// key provider; a pass-through when encryption is off. Failures map to statuses in EncryptionFailures:
// an unreachable key service is a 503 (writes fail closed), everything else a counted 500.
using Prg.Api.Http;
using Prg.Crypto;

namespace Prg.Api.Encryption;

public sealed class RecordCipher(IKeyProvider? provider, ThreadMetaDekStore? dekStore = null)
{
    private readonly KeyIdCache _keyIds = new();

    public bool Enabled => provider is not null;

    /// <summary>The provider underneath, for key rotation's batch re-seal (ChatService.Reseal); null when off.</summary>
    internal IKeyProvider? Provider => provider;

    /// <summary>Failed seals and opens by kind (metrics).</summary>
    public EncryptionFailures Failures { get; } = new();

    public long AuthenticationFailures => Failures.Authentication;

    /// <summary>Provisions the thread's DEK; returns the kms block for its metadata (empty when off).</summary>
    public async ValueTask<byte[]> CreateThreadKeysAsync(string threadId, CancellationToken ct)
    {
        if (provider is null)
        {
            return [];
        }
        var info = await Guard(provider.CreateDekForThreadAsync(threadId, ct));
        // The provider does not store the new DEK: it lands in the thread meta with the thread itself.
        // Until then the title must still be sealed under it.
        dekStore?.Hold(info.Material);
        return info.Material.ToUtf8Json();
    }

    public async ValueTask<byte[]> SealAsync(byte[] kms, RecordAad aad, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        if (provider is null)
        {
            return plaintext.ToArray();
        }
        return await Guard(provider.EncryptAsync(KeyIdOf(kms), plaintext, aad, ct));
    }

    public async ValueTask<byte[]> OpenAsync(byte[] kms, RecordAad aad, byte[] stored, CancellationToken ct)
    {
        if (provider is null)
        {
            return stored;
        }
        return await Guard(provider.DecryptAsync(KeyIdOf(kms), stored, aad, ct));
    }

    /// <summary>
    /// Opens a page of records in one provider call into one pooled buffer (no array per record).
    /// Dispose the result once the page is written. Any record that fails fails the page.
    /// </summary>
    public async ValueTask<DecryptedBatch> OpenPageAsync(byte[] kms, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken ct)
    {
        if (provider is null || items.Count == 0)
        {
            return CopyPlain(items);
        }
        var batch = await Guard(provider.DecryptBatchPooledAsync(KeyIdOf(kms), items, ct));
        if (batch.FirstError() is { } error)
        {
            batch.Dispose();
            throw Classify(error);
        }
        return batch;
    }

    /// <summary>The thread's creating write has finished (either way): its key no longer waits in memory.</summary>
    public void Settle(string threadId) => dekStore?.Settle(KeyIds.ForThread(threadId));

    /// <summary>The thread's key id, read from its kms block (seed §3: thread metadata is canonical), parsed once per block.</summary>
    private string KeyIdOf(byte[] kms)
    {
        if (kms.Length == 0)
        {
            throw new ApiException(500, "thread has no encryption key");
        }
        try
        {
            return _keyIds.KeyIdOf(kms);
        }
        catch (KeyMaterialFormatException e)
        {
            throw Classify(e);
        }
    }

    private static DecryptedBatch CopyPlain(IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items)
    {
        var total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            total += items[i].Frame.Length;
        }
        var batch = DecryptedBatch.Create(items.Count, total);
        for (var i = 0; i < items.Count; i++)
        {
            items[i].Frame.Span.CopyTo(batch.Reserve(i, items[i].Frame.Length));
        }
        return batch;
    }

    private Exception Classify(Exception e) => Failures.Classify(e);

    private async ValueTask<T> Guard<T>(ValueTask<T> pending)
    {
        try
        {
            return await pending;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Classify(e);
        }
    }
}
