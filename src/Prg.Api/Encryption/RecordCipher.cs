// Seals and opens what users write (titles, message bodies, versions) under the thread's DEK via the
// key provider; a pass-through when encryption is off. Provider outages fail closed as 503; frames
// that do not authenticate are 500s for that read, counted in metrics.
using Prg.Api.Http;
using Prg.Crypto;

namespace Prg.Api.Encryption;

public sealed class RecordCipher(IKeyProvider? provider, ThreadMetaDekStore? dekStore = null)
{
    private readonly KeyIdCache _keyIds = new();
    private long _authenticationFailures;

    public bool Enabled => provider is not null;

    public long AuthenticationFailures => Interlocked.Read(ref _authenticationFailures);

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
        try
        {
            return await provider.DecryptAsync(KeyIdOf(kms), stored, aad, ct);
        }
        catch (Exception e)
        {
            throw Classify(e);
        }
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
        return _keyIds.KeyIdOf(kms);
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

    /// <summary>A read's failure: a frame that does not authenticate is a 500 (and counted); a key service that cannot answer is a 503.</summary>
    private Exception Classify(Exception e) => e switch
    {
        FrameAuthenticationException or MalformedFrameException => AuthenticationFailed(),
        _ when IsUnavailable(e) => Unavailable(),
        _ => e,
    };

    private ApiException AuthenticationFailed()
    {
        Interlocked.Increment(ref _authenticationFailures);
        return new ApiException(500, "decryption failed: stored data did not authenticate");
    }

    private static ApiException Unavailable() => new(503, "encryption unavailable");

    private static bool IsUnavailable(Exception e) =>
        e is not ApiException and not OperationCanceledException and not FrameAuthenticationException and not MalformedFrameException;

    private static async ValueTask<T> Guard<T>(ValueTask<T> pending)
    {
        try
        {
            return await pending;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable();
        }
    }
}
