// Seed §3 fallback: the external key service does all DEK work while it is up; while it is down and
// the server has the master key configured locally, reads unwrap the thread's stored wrapped DEK
// (the thread meta kms block, via IDekStore) and decrypt in-process; writes fail closed. It returns
// to the service by itself: after RetryInterval the next read tries the service again, and every
// write always does.
using System.Diagnostics;
using System.Security.Cryptography;
using static Prg.Crypto.ProviderArguments;

namespace Prg.Crypto;

/// <summary>
/// <see cref="IKeyProvider"/> that uses an <see cref="ExternalKeyProvider"/> and, for decryption only,
/// falls back to the local master keys when the service is unavailable.
/// </summary>
/// <remarks>
/// The fallback unwraps a DEK per call and zeroes it before returning: even in fallback mode no raw
/// DEK stays in the server's memory. Rotation and rewrap go to the service; the material it returns
/// is then saved to the <see cref="IDekStore"/> so the thread meta (and so the fallback) stays current.
/// The provider owns and disposes the external provider and the key ring.
/// </remarks>
public sealed class FallbackKeyProvider : IKeyProvider
{
    private readonly ExternalKeyProvider _primary;
    private readonly KeyRing _localKeys;
    private readonly IDekStore _store;
    private readonly long _retryTicks;
    private long _downUntil;
    private long _fallbackDecrypts;
    private volatile bool _disposed;

    public FallbackKeyProvider(ExternalKeyProvider primary, KeyRing localKeys, IDekStore store, FallbackKeyProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(localKeys);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new FallbackKeyProviderOptions();
        if (options.RetryInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetryInterval, "RetryInterval must not be negative");
        }

        _primary = primary;
        _localKeys = localKeys;
        _store = store;
        _retryTicks = (long)(options.RetryInterval.TotalSeconds * Stopwatch.Frequency);
    }

    public ExternalKeyProvider Primary => _primary;

    /// <summary>True while reads are being served locally because the service was last seen unavailable.</summary>
    public bool IsUsingFallback => Stopwatch.GetTimestamp() < Volatile.Read(ref _downUntil);

    /// <summary>Items decrypted locally so far (metrics, tests).</summary>
    public long FallbackDecrypts => Interlocked.Read(ref _fallbackDecrypts);

    public ValueTask<DekInfo> CreateDekForThreadAsync(string threadId, CancellationToken cancellationToken = default) =>
        CallPrimaryAsync<string, DekInfo>(threadId, static (p, id, ct) => p.CreateDekForThreadAsync(id, ct), cancellationToken);

    public ValueTask<byte[]> EncryptAsync(string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad, CancellationToken cancellationToken = default) =>
        CallPrimaryAsync<(string KeyId, ReadOnlyMemory<byte> Plaintext, RecordAad Aad), byte[]>(
            (keyId, plaintext, aad), static (p, s, ct) => p.EncryptAsync(s.KeyId, s.Plaintext, s.Aad, ct), cancellationToken);

    public ValueTask<byte[][]> EncryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Plaintext, RecordAad Aad)> items, CancellationToken cancellationToken = default) =>
        CallPrimaryAsync<(string KeyId, IReadOnlyList<(ReadOnlyMemory<byte>, RecordAad)> Items), byte[][]>(
            (keyId, items), static (p, s, ct) => p.EncryptBatchAsync(s.KeyId, s.Items, ct), cancellationToken);

    public async ValueTask<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> frame, RecordAad aad, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!IsUsingFallback)
        {
            try
            {
                byte[] plaintext = await _primary.DecryptAsync(keyId, frame, aad, cancellationToken).ConfigureAwait(false);
                MarkUp();
                return plaintext;
            }
            catch (KeyServiceUnavailableException)
            {
                MarkDown();
            }
        }

        ThreadKeyMaterial material = await LoadAsync(keyId, cancellationToken).ConfigureAwait(false);
        DecryptResult result = DecryptLocally(material, frame.Span, aad);
        Interlocked.Increment(ref _fallbackDecrypts);
        return result.Plaintext ?? throw result.Error!;
    }

    public async ValueTask<DecryptResult[]> DecryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(items);
        if (!IsUsingFallback)
        {
            try
            {
                DecryptResult[] results = await _primary.DecryptBatchAsync(keyId, items, cancellationToken).ConfigureAwait(false);
                MarkUp();
                return results;
            }
            catch (KeyServiceUnavailableException)
            {
                MarkDown();
            }
        }

        ThreadKeyMaterial material = await LoadAsync(keyId, cancellationToken).ConfigureAwait(false);
        DecryptResult[] local = DecryptAllLocally(material, items);
        Interlocked.Add(ref _fallbackDecrypts, local.Length);
        return local;
    }

    public async ValueTask<DekInfo> RotateDekAsync(string keyId, CancellationToken cancellationToken = default)
    {
        DekInfo info = await CallPrimaryAsync<string, DekInfo>(keyId, static (p, id, ct) => p.RotateDekAsync(id, ct), cancellationToken).ConfigureAwait(false);
        await _store.SaveAsync(info.Material, cancellationToken).ConfigureAwait(false);
        return info;
    }

    public async ValueTask<DekInfo> RewrapDekAsync(string keyId, CancellationToken cancellationToken = default)
    {
        DekInfo info = await CallPrimaryAsync<string, DekInfo>(keyId, static (p, id, ct) => p.RewrapDekAsync(id, ct), cancellationToken).ConfigureAwait(false);
        await _store.SaveAsync(info.Material, cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <summary>Disposes the external provider and zeroes the local master keys.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _primary.DisposeAsync().ConfigureAwait(false);
            _localKeys.Dispose();
        }
    }

    private async ValueTask<TResult> CallPrimaryAsync<TState, TResult>(
        TState state, Func<ExternalKeyProvider, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            TResult result = await call(_primary, state, cancellationToken).ConfigureAwait(false);
            MarkUp();
            return result;
        }
        catch (KeyServiceUnavailableException)
        {
            MarkDown();
            throw; // writes fail closed: nothing is encrypted without the service
        }
    }

    private void MarkDown() => Volatile.Write(ref _downUntil, Stopwatch.GetTimestamp() + _retryTicks);

    private void MarkUp()
    {
        if (Volatile.Read(ref _downUntil) != 0)
        {
            Volatile.Write(ref _downUntil, 0);
        }
    }

    private async ValueTask<ThreadKeyMaterial> LoadAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ThreadKeyMaterial material = await _store.GetAsync(keyId, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownKeyException($"key {keyId} is unknown (no DEK has been provisioned for it)", UnknownKeyReason.KeyId);
        if (material.KeyId != keyId)
        {
            throw new CryptoException($"the DEK store returned material of key {material.KeyId} when asked for key {keyId}");
        }

        return material;
    }

    private DecryptResult DecryptLocally(ThreadKeyMaterial material, ReadOnlySpan<byte> frame, RecordAad aad)
    {
        CheckAad(aad);
        if (!DataFrame.TryReadDekVersion(frame, out uint version))
        {
            return DecryptResult.Failure(DataFrame.MalformedError(frame));
        }

        AesGcm aes;
        try
        {
            aes = UnwrapToAes(material, version);
        }
        catch (UnknownKeyException e)
        {
            return DecryptResult.Failure(e);
        }

        using (aes)
        {
            return DecryptWith(aes, frame, aad);
        }
    }

    private DecryptResult[] DecryptAllLocally(ThreadKeyMaterial material, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items)
    {
        for (int i = 0; i < items.Count; i++)
        {
            CheckAad(items[i].Aad);
        }

        var results = new DecryptResult[items.Count];

        // A page is almost always under one or two DEK versions: unwrap each once for the batch.
        var ciphers = new List<(uint Version, AesGcm? Aes, UnknownKeyException? Error)>(2);
        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                ReadOnlySpan<byte> frame = items[i].Frame.Span;
                if (!DataFrame.TryReadDekVersion(frame, out uint version))
                {
                    results[i] = DecryptResult.Failure(DataFrame.MalformedError(frame));
                    continue;
                }

                int found = ciphers.FindIndex(c => c.Version == version);
                if (found < 0)
                {
                    try
                    {
                        ciphers.Add((version, UnwrapToAes(material, version), null));
                    }
                    catch (UnknownKeyException e)
                    {
                        ciphers.Add((version, null, e));
                    }

                    found = ciphers.Count - 1;
                }

                (_, AesGcm? aes, UnknownKeyException? error) = ciphers[found];
                results[i] = aes is null ? DecryptResult.Failure(error!) : DecryptWith(aes, frame, items[i].Aad);
            }
        }
        finally
        {
            foreach ((_, AesGcm? aes, _) in ciphers)
            {
                aes?.Dispose();
            }
        }

        return results;
    }

    private AesGcm UnwrapToAes(ThreadKeyMaterial material, uint version) =>
        _localKeys.WithDek(material, version, static dek => new AesGcm(dek, DataFrame.TagLength));

    private static DecryptResult DecryptWith(AesGcm aes, ReadOnlySpan<byte> frame, RecordAad aad)
    {
        byte[] output = new byte[frame.Length - DataFrame.Overhead];
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        return DataFrame.TryDecrypt(aes, frame, aad.ThreadId, aad.RecordIdChars(recordId), output, out _)
            ? DecryptResult.Success(output)
            : DecryptResult.Failure(new FrameAuthenticationException(
                $"ciphertext frame of record '{aad.RecordId}' in thread '{aad.ThreadId}' failed authentication (tampered, copied from another record, or encrypted under another key)"));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
