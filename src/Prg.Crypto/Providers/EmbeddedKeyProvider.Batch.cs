// The embedded provider's batch decrypt (a page of messages): each DEK version acquired once per
// batch, every frame opened into one pooled buffer, a bad frame failing only its own item.
using System.Runtime.CompilerServices;
using static Prg.Crypto.ProviderArguments;

namespace Prg.Crypto;

public sealed partial class EmbeddedKeyProvider
{
    public async ValueTask<DecryptResult[]> DecryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default)
    {
        using DecryptedBatch batch = await DecryptBatchPooledAsync(keyId, items, cancellationToken).ConfigureAwait(false);
        var results = new DecryptResult[batch.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = batch.Error(i) is { } error ? DecryptResult.Failure(error) : DecryptResult.Success(batch[i].ToArray());
        }

        return results;
    }

    public async ValueTask<DecryptedBatch> DecryptBatchPooledAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(items);
        int capacity = 0;
        for (int i = 0; i < items.Count; i++)
        {
            CheckAad(items[i].Aad);
            capacity += Math.Max(items[i].Frame.Length - DataFrame.Overhead, 0);
        }

        var batch = DecryptedBatch.Create(items.Count, capacity);

        // A page is almost always under one DEK version: acquire each version once per batch, and
        // remember a version that cannot be had so its other frames fail without another attempt.
        CachedDek? last = null;
        List<CachedDek>? others = null;
        List<(uint Version, CryptoException Error)>? unavailable = null;
        try
        {
            for (int i = 0; i < items.Count;)
            {
                ReadOnlyMemory<byte> frame = items[i].Frame;
                if (!DataFrame.TryReadDekVersion(frame.Span, out uint version))
                {
                    batch.Fail(i, DataFrame.MalformedError(frame.Span));
                    i++;
                    continue;
                }

                CachedDek? dek = last?.Version == version ? last : Find(others, version);
                if (dek is null)
                {
                    CryptoException? known = FindError(unavailable, version);
                    if (known is not null)
                    {
                        batch.Fail(i, known);
                        i++;
                        continue;
                    }

                    try
                    {
                        dek = _cache.TryAcquire(keyId, version)
                            ?? await AcquireSlowAsync(keyId, version, cancellationToken).ConfigureAwait(false);
                    }
                    catch (CryptoException e) when (e is not UnknownKeyException { Reason: UnknownKeyReason.KeyId })
                    {
                        (unavailable ??= []).Add((version, e));
                        batch.Fail(i, e);
                        i++;
                        continue;
                    }

                    if (last is not null)
                    {
                        (others ??= []).Add(last);
                    }

                    last = dek;
                }

                i = OpenRun(dek, items, i, batch);
            }
        }
        catch
        {
            batch.Dispose();
            throw;
        }
        finally
        {
            last?.Release();
            if (others is not null)
            {
                foreach (CachedDek dek in others)
                {
                    dek.Release();
                }
            }
        }

        return batch;
    }

    /// <summary>
    /// Opens items from <paramref name="start"/> (a frame under <paramref name="dek"/>'s version) while
    /// their frames are under that version; returns the index of the first one that is not. Outside the
    /// async method so the loop runs on locals, and the AAD's shared part (format, DEK version, thread
    /// id) is encoded once per thread instead of per frame.
    /// </summary>
    [SkipLocalsInit] // the AAD buffer is written before it is read
    private static int OpenRun(CachedDek dek, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, int start, DecryptedBatch batch)
    {
        Span<byte> aad = stackalloc byte[AadWriter.StackLimit];
        string? prefixThread = null;
        int prefixLength = 0;
        int i = start;
        for (; i < items.Count; i++)
        {
            (ReadOnlyMemory<byte> frame, RecordAad recordAad) = items[i];
            if (!DataFrame.TryReadDekVersion(frame.Span, out uint version) || version != dek.Version)
            {
                break;
            }

            Span<byte> plaintext = batch.Reserve(i, frame.Length - DataFrame.Overhead);
            if (DataFrame.MaxAadPrefixLength(recordAad.ThreadId) + recordAad.MaxEncodedRecordIdLength > AadWriter.StackLimit)
            {
                // An identifier too long for the stack buffer: the per-frame path rents one.
                if (!DecryptInto(dek, frame.Span, recordAad, plaintext, out CryptoException? error))
                {
                    batch.Fail(i, error!);
                }

                continue;
            }

            if (!ReferenceEquals(prefixThread, recordAad.ThreadId))
            {
                prefixLength = DataFrame.WriteAadPrefix(dek.Version, recordAad.ThreadId, aad);
                prefixThread = recordAad.ThreadId;
            }

            int aadLength = prefixLength + recordAad.WriteRecordId(aad[prefixLength..]);
            if (!dek.Key.TryDecryptWithAad(frame.Span, aad[..aadLength], plaintext, out _))
            {
                batch.Fail(i, AuthenticationError(recordAad));
            }
        }

        return i;
    }

    private static CachedDek? Find(List<CachedDek>? deks, uint version)
    {
        if (deks is not null)
        {
            foreach (CachedDek dek in deks)
            {
                if (dek.Version == version)
                {
                    return dek;
                }
            }
        }

        return null;
    }

    private static CryptoException? FindError(List<(uint Version, CryptoException Error)>? errors, uint version)
    {
        if (errors is not null)
        {
            foreach ((uint failedVersion, CryptoException error) in errors)
            {
                if (failedVersion == version)
                {
                    return error;
                }
            }
        }

        return null;
    }
}
