// The in-process key provider (embedded mode): holds the master keys, generates and wraps thread
// DEKs, unwraps them lazily into a bounded cache (locked key memory, a pool of OpenSSL contexts per
// DEK), and rotates DEKs and KEKs. Its DEK store is the thread metadata, reached through IDekStore.
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using static Prg.Crypto.ProviderArguments;

namespace Prg.Crypto;

/// <summary>
/// Embedded <see cref="IKeyProvider"/>. Key ids are <c>KeyIds.ForThread(threadId)</c>. Encrypt and
/// decrypt of a cached key complete synchronously and allocate only the output array.
/// </summary>
/// <remarks>
/// The provider owns the <see cref="KeyRing"/> it is given and disposes it. It is the only writer
/// of existing key material (rotation, rewrap), so it caches material by key id; material is read
/// from the store again when a frame names a DEK version the cached material lacks.
/// </remarks>
public sealed partial class EmbeddedKeyProvider : IKeyProvider
{
    private const int LockStripes = 64;

    private readonly KeyRing _keyRing;
    private readonly IDekStore _store;
    private readonly DekCache _cache;
    private readonly int _poolSize;
    private readonly KeyMemory _keyMemory;

    // Rotation and rewrap of one key id are read-modify-write of its material; striped locks keep
    // two of them from interleaving and losing a DEK version.
    private readonly SemaphoreSlim[] _keyLocks;
    private volatile bool _disposed;

    public EmbeddedKeyProvider(KeyRing keyRing, IDekStore store, EmbeddedKeyProviderOptions? options = null)
        : this(keyRing, store, options, KeyMemory.Shared)
    {
    }

    /// <param name="keyMemory">Where unwrapped DEKs live (tests pass their own arena).</param>
    internal EmbeddedKeyProvider(KeyRing keyRing, IDekStore store, EmbeddedKeyProviderOptions? options, KeyMemory keyMemory)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new EmbeddedKeyProviderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DekCacheCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AesGcmPoolSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.AesGcmPoolSize, FrameKey.MaxIdleContexts, nameof(options));
        _keyRing = keyRing;
        _store = store;
        _cache = new DekCache(options.DekCacheCapacity);
        _poolSize = options.AesGcmPoolSize;
        _keyMemory = keyMemory;
        _ = FrameEngines.Default; // a wrong PRG_FRAME_ENGINE refuses the start, not the first encrypted request
        _keyLocks = new SemaphoreSlim[LockStripes];
        for (int i = 0; i < _keyLocks.Length; i++)
        {
            _keyLocks[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>The master keys; use <see cref="RotateKek"/> and <see cref="RemovePreviousKek"/> to change them.</summary>
    public KeyRing KeyRing => _keyRing;

    /// <summary>Unwrapped DEKs currently cached (metrics, tests).</summary>
    public int CachedDekCount => _cache.DekCount;

    /// <summary>Cache entries evicted so far (metrics, tests).</summary>
    public long CacheEvictions => _cache.Evictions;

    internal DekCache CacheForTesting => _cache;

    /// <summary>
    /// Installs a new master key as current (next kek_version); the old one stays as a previous key
    /// so existing DEKs still unwrap. Then call <see cref="RewrapDekAsync"/> for every key id, and
    /// finally <see cref="RemovePreviousKek"/>. The provider takes ownership of the key.
    /// </summary>
    /// <returns>The new kek_version (persist it).</returns>
    public uint RotateKek(MasterKey newKey)
    {
        ThrowIfDisposed();
        return _keyRing.Rotate(newKey);
    }

    /// <summary>Drops a previous KEK once every DEK has been rewrapped.</summary>
    public bool RemovePreviousKek(string kekId)
    {
        ThrowIfDisposed();
        return _keyRing.RemovePrevious(kekId);
    }

    /// <summary>True if the material has a version not wrapped under the current KEK.</summary>
    public bool NeedsRewrap(ThreadKeyMaterial material)
    {
        ThrowIfDisposed();
        return _keyRing.NeedsRewrap(material);
    }

    public async ValueTask<DekInfo> CreateDekForThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        string keyId = KeyIds.ForThread(threadId);
        ThreadKeyMaterial? existing = await _store.GetAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            CheckStoredKeyId(keyId, existing);
            return new DekInfo(existing);
        }

        return new DekInfo(new ThreadKeyMaterial(keyId, [WrapNewDek(keyId, 1)]));
    }

    public ValueTask<byte[]> EncryptAsync(string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        CheckAad(aad);
        CachedDek? dek = _cache.TryAcquireCurrent(keyId);
        if (dek is null)
        {
            return EncryptSlowAsync(keyId, plaintext, aad, cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(EncryptWith(dek, plaintext.Span, aad));
        }
        finally
        {
            dek.Release();
        }
    }

    public ValueTask<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> frame, RecordAad aad, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        CheckAad(aad);
        if (!DataFrame.TryReadDekVersion(frame.Span, out uint version))
        {
            return ValueTask.FromException<byte[]>(DataFrame.MalformedError(frame.Span));
        }

        CachedDek? dek = _cache.TryAcquire(keyId, version);
        if (dek is null)
        {
            return DecryptSlowAsync(keyId, version, frame, aad, cancellationToken);
        }

        try
        {
            return DecryptWith(dek, frame.Span, aad, out byte[]? plaintext, out CryptoException? error)
                ? ValueTask.FromResult(plaintext!)
                : ValueTask.FromException<byte[]>(error!);
        }
        finally
        {
            dek.Release();
        }
    }

    public async ValueTask<byte[][]> EncryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Plaintext, RecordAad Aad)> items, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckBatch(keyId, items, static item => item.Aad);

        CachedDek dek = _cache.TryAcquireCurrent(keyId) ?? await AcquireCurrentSlowAsync(keyId, cancellationToken).ConfigureAwait(false);
        try
        {
            return EncryptAllWith(dek, items);
        }
        finally
        {
            dek.Release();
        }
    }

    public ValueTask<DekInfo> RotateDekAsync(string keyId, CancellationToken cancellationToken = default) =>
        ReplaceMaterialAsync(keyId, material =>
        {
            if (material.CurrentDekVersion == uint.MaxValue)
            {
                throw new CryptoException($"key {keyId} cannot have another DEK version");
            }

            return material.WithNewVersion(WrapNewDek(keyId, material.CurrentDekVersion + 1));
        }, cancellationToken);

    public ValueTask<DekInfo> RewrapDekAsync(string keyId, CancellationToken cancellationToken = default) =>
        ReplaceMaterialAsync(keyId, material => _keyRing.NeedsRewrap(material) ? _keyRing.Rewrap(material) : null, cancellationToken);

    /// <summary>
    /// Under the key's lock: loads its material, lets <paramref name="change"/> derive the next one (null:
    /// nothing to do), saves that and makes it the cached one.
    /// </summary>
    private async ValueTask<DekInfo> ReplaceMaterialAsync(string keyId, Func<ThreadKeyMaterial, ThreadKeyMaterial?> change, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        SemaphoreSlim keyLock = LockFor(keyId);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThreadKeyMaterial material = await LoadFromStoreAsync(keyId, cancellationToken).ConfigureAwait(false);
            if (change(material) is not { } next)
            {
                return new DekInfo(material);
            }

            await _store.SaveAsync(next, cancellationToken).ConfigureAwait(false);
            _cache.SetMaterial(next);
            return new DekInfo(next);
        }
        finally
        {
            keyLock.Release();
        }
    }

    /// <summary>Zeroes every cached DEK and the master keys.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _cache.Dispose();
            _keyRing.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    [SkipLocalsInit] // the record id scratch is written before it is read
    private static byte[] EncryptWith(CachedDek dek, ReadOnlySpan<byte> plaintext, RecordAad aad)
    {
        byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        dek.Key.Encrypt(dek.Version, aad.ThreadId, aad.RecordIdChars(recordId), plaintext, frame);
        return frame;
    }

    private static byte[][] EncryptAllWith(CachedDek dek, IReadOnlyList<(ReadOnlyMemory<byte> Plaintext, RecordAad Aad)> items)
    {
        var frames = new byte[items.Count][];
        for (int i = 0; i < items.Count; i++)
        {
            frames[i] = EncryptWith(dek, items[i].Plaintext.Span, items[i].Aad);
        }

        return frames;
    }

    private static bool DecryptWith(CachedDek dek, ReadOnlySpan<byte> frame, RecordAad aad, out byte[]? plaintext, out CryptoException? error)
    {
        byte[] output = new byte[frame.Length - DataFrame.Overhead];
        if (DecryptInto(dek, frame, aad, output, out error))
        {
            plaintext = output;
            return true;
        }

        plaintext = null;
        return false;
    }

    [SkipLocalsInit] // the record id scratch is written before it is read
    private static bool DecryptInto(CachedDek dek, ReadOnlySpan<byte> frame, RecordAad aad, Span<byte> destination, out CryptoException? error)
    {
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        if (dek.Key.TryDecrypt(frame, aad.ThreadId, aad.RecordIdChars(recordId), destination, out _))
        {
            error = null;
            return true;
        }

        error = AuthenticationError(aad);
        return false;
    }

    private static FrameAuthenticationException AuthenticationError(RecordAad aad) => new(
        $"ciphertext frame of record '{aad.RecordId}' in thread '{aad.ThreadId}' failed authentication (tampered, copied from another record, or encrypted under another key)");

    private static void CheckStoredKeyId(string keyId, ThreadKeyMaterial material)
    {
        if (material.KeyId != keyId)
        {
            throw new CryptoException($"the DEK store returned material of key {material.KeyId} when asked for key {keyId}");
        }
    }

    private async ValueTask<byte[]> EncryptSlowAsync(string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad, CancellationToken cancellationToken)
    {
        CachedDek dek = await AcquireCurrentSlowAsync(keyId, cancellationToken).ConfigureAwait(false);
        try
        {
            return EncryptWith(dek, plaintext.Span, aad);
        }
        finally
        {
            dek.Release();
        }
    }

    private async ValueTask<byte[]> DecryptSlowAsync(string keyId, uint version, ReadOnlyMemory<byte> frame, RecordAad aad, CancellationToken cancellationToken)
    {
        CachedDek dek = await AcquireSlowAsync(keyId, version, cancellationToken).ConfigureAwait(false);
        try
        {
            return DecryptWith(dek, frame.Span, aad, out byte[]? plaintext, out CryptoException? error) ? plaintext! : throw error!;
        }
        finally
        {
            dek.Release();
        }
    }

    private async ValueTask<CachedDek> AcquireCurrentSlowAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!_cache.TryGetMaterial(keyId, out ThreadKeyMaterial? material))
        {
            material = await LoadFromStoreAsync(keyId, cancellationToken).ConfigureAwait(false);
        }

        return _cache.TryAcquire(keyId, material.CurrentDekVersion)
            ?? await UnwrapAndCacheAsync(material, material.CurrentDekVersion, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CachedDek> AcquireSlowAsync(string keyId, uint version, CancellationToken cancellationToken)
    {
        ThreadKeyMaterial? material;
        if (!_cache.TryGetMaterial(keyId, out material) || !material.TryGetVersion(version, out _))
        {
            // Not cached, or cached before this version existed: the store is authoritative.
            material = await LoadFromStoreAsync(keyId, cancellationToken).ConfigureAwait(false);
            if (!material.TryGetVersion(version, out _))
            {
                throw new UnknownKeyException($"key {keyId} has no DEK version {version}", UnknownKeyReason.DekVersion);
            }
        }

        return await UnwrapAndCacheAsync(material, version, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CachedDek> UnwrapAndCacheAsync(ThreadKeyMaterial material, uint version, CancellationToken cancellationToken)
    {
        try
        {
            return UnwrapAndCache(material, version);
        }
        catch (UnknownKeyException e) when (e.Reason == UnknownKeyReason.Kek)
        {
            // The cached material may predate a rewrap whose old KEK is gone; retry with the store's.
            ThreadKeyMaterial fresh = await LoadFromStoreAsync(material.KeyId, cancellationToken).ConfigureAwait(false);
            return UnwrapAndCache(fresh, version);
        }
    }

    private CachedDek UnwrapAndCache(ThreadKeyMaterial material, uint version)
    {
        CachedDek cached = _keyRing.WithDek(material, version, dek => new CachedDek(version, new FrameKey(dek, _poolSize, _keyMemory)));
        return _cache.AddAndAcquire(material, cached);
    }

    private async ValueTask<ThreadKeyMaterial> LoadFromStoreAsync(string keyId, CancellationToken cancellationToken)
    {
        ThreadKeyMaterial material = await _store.GetAsync(keyId, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownKeyException($"key {keyId} is unknown (no DEK has been provisioned for it)", UnknownKeyReason.KeyId);
        CheckStoredKeyId(keyId, material);
        return material;
    }

    private WrappedDekVersion WrapNewDek(string keyId, uint dekVersion)
    {
        Span<byte> dek = stackalloc byte[MasterKey.KeyLength];
        try
        {
            RandomNumberGenerator.Fill(dek);
            return _keyRing.Wrap(keyId, dekVersion, dek);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    private SemaphoreSlim LockFor(string keyId) =>
        _keyLocks[(uint)StringComparer.Ordinal.GetHashCode(keyId) % LockStripes];

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
