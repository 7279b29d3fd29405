// One DEK ready to seal and open data frames: the raw key in locked key memory, on the AES-NI engine
// its key schedule and GHASH key powers (locked key memory too; read-only, so frames share it with no
// pool at all), and two pools of OpenSSL EVP contexts keyed once, one per direction (an opening context
// takes each frame's IV and tag in one parameter call, without a re-init). The AES-NI engine takes the
// frames up to MaxAesNiFrameBytes (a chat message's size, where EVP's per-call overhead dominates); larger
// ones go to EVP, whose VAES/AVX-512 kernels outrun 128-bit AES-NI there (docs/benchmarks.md).
// EVP contexts are pooled in per-processor slots (a couple of probes, never a scan), so concurrent
// requests on different cores do not contend.
namespace Prg.Crypto;

/// <summary>
/// A data-frame key (AES-256-GCM on AES-NI/PCLMULQDQ, or through OpenSSL EVP). Thread-safe. Frames are
/// byte-for-byte those of <see cref="DataFrame"/>. <see cref="Dispose"/> zeroes the key and the key
/// schedule and frees (cleanses) every context; callers must not use the key concurrently with or after disposal
/// (on the AES-NI engine such a use would seal under a zeroed schedule: CachedDek's reference count rules it out).
/// </summary>
public sealed unsafe class FrameKey : IDisposable
{
    /// <summary>Upper bound on idle contexts per key: far more than the cores of any host prg targets.</summary>
    public const int MaxIdleContexts = 1024;

    /// <summary>
    /// Largest plaintext the AES-NI engine seals or opens; EVP takes larger frames. Measured crossover
    /// (`prg bench crypto`, one core): at 1 KB AES-NI 452/428 ns vs EVP 524/430 (seal/open), at 2 KB
    /// 783/724 vs 752/658, at 16 KB 5.5/5.2 µs vs 4.0/3.9.
    /// </summary>
    public const int MaxAesNiFrameBytes = 1536;

    // How many neighbouring slots Rent and Return try before creating or freeing a context.
    private const int Probes = 2;

    private readonly KeyMemory _memory;
    private readonly nint[] _idleSealers;
    private readonly nint[] _idleOpeners;
    private readonly Lock _createLock = new();
    private readonly byte* _key;
    private readonly byte* _schedule; // null unless the engine is AesNiPclmul
    private volatile bool _disposed;

    /// <param name="key">32 bytes, copied into locked key memory.</param>
    /// <param name="idleContexts">Contexts kept ready for reuse per direction (rounded up to a power of two, 1..1024).</param>
    /// <exception cref="CryptoException">libcrypto.so.3 cannot be loaded, or <see cref="FrameEngines.EnvironmentVariable"/> is wrong (fail closed).</exception>
    public FrameKey(ReadOnlySpan<byte> key, int idleContexts)
        : this(key, idleContexts, KeyMemory.Shared, FrameEngines.Default)
    {
    }

    internal FrameKey(ReadOnlySpan<byte> key, int idleContexts, KeyMemory memory)
        : this(key, idleContexts, memory, FrameEngines.Default)
    {
    }

    internal FrameKey(ReadOnlySpan<byte> key, int idleContexts, KeyMemory memory, FrameEngine engine)
    {
        if (key.Length != MasterKey.KeyLength)
        {
            throw new ArgumentException($"an AES-256 key must be {MasterKey.KeyLength} bytes; got {key.Length}", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(idleContexts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(idleContexts, MaxIdleContexts);
        _idleSealers = new nint[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)idleContexts)];
        _idleOpeners = new nint[_idleSealers.Length];

        _ = LibCrypto.Aes256Gcm; // refuse now, not at the first frame, if libcrypto is missing
        _memory = memory;
        _key = memory.Store(key);
        Engine = engine;
        if (engine == FrameEngine.AesNiPclmul)
        {
            try
            {
                _schedule = memory.AllocateSchedule();
                GcmKeySchedule.Expand(_key, _schedule);
            }
            catch
            {
                // The key (and a schedule slot, if taken) must not outlive a key that was never made.
                if (_schedule != null)
                {
                    memory.ReleaseSchedule(_schedule);
                }

                memory.Release(_key);
                throw;
            }
        }
        else
        {
            Return(_idleSealers, Create(encrypt: true)); // one ready context; the key is known to work
        }
    }

    public bool IsDisposed => _disposed;

    /// <summary>The AES-256-GCM implementation this key's frames go through (up to <see cref="MaxAesNiFrameBytes"/>, on AES-NI).</summary>
    public FrameEngine Engine { get; }

    /// <summary>Idle pooled contexts (tests).</summary>
    internal int IdleCount => _idleSealers.Concat(_idleOpeners).Count(static handle => handle != 0);

    /// <summary>The key's slot in key memory (tests observe that disposal zeroes it).</summary>
    internal nint KeySlotForTesting => (nint)_key;

    /// <summary>The key schedule's slot (0 on the EVP engine; tests observe that disposal zeroes it).</summary>
    internal nint ScheduleSlotForTesting => (nint)_schedule;

    /// <inheritdoc cref="DataFrame.Encrypt(System.Security.Cryptography.AesGcm, uint, ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{byte}, Span{byte})"/>
    public int Encrypt(uint dekVersion, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, ReadOnlySpan<byte> plaintext, Span<byte> destination)
        => Seal(dekVersion, threadId, recordId, plaintext, destination, nonceForTesting: default);

    /// <inheritdoc cref="DataFrame.TryDecrypt(System.Security.Cryptography.AesGcm, ReadOnlySpan{byte}, ReadOnlySpan{char}, ReadOnlySpan{char}, Span{byte}, out int)"/>
    public bool TryDecrypt(ReadOnlySpan<byte> frame, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, Span<byte> destination, out int bytesWritten)
    {
        if (OnAesNi(frame.Length - DataFrame.Overhead))
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return DataFrame.TryOpen(new AesNiGcm(_schedule), frame, threadId, recordId, destination, out bytesWritten);
        }

        GcmContext context = Rent(_idleOpeners, encrypt: false);
        try
        {
            return DataFrame.TryOpen(context, frame, threadId, recordId, destination, out bytesWritten);
        }
        finally
        {
            Return(_idleOpeners, context);
        }
    }

    /// <summary>
    /// <see cref="TryDecrypt"/> against an AAD the caller encoded (DataFrame.WriteAad's bytes for the
    /// frame's DEK version): a batch encodes the part its frames share once.
    /// </summary>
    internal bool TryDecryptWithAad(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> aad, Span<byte> destination, out int bytesWritten)
    {
        if (OnAesNi(frame.Length - DataFrame.Overhead))
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return DataFrame.TryOpenWithAad(new AesNiGcm(_schedule), frame, aad, destination, out bytesWritten);
        }

        GcmContext context = Rent(_idleOpeners, encrypt: false);
        try
        {
            return DataFrame.TryOpenWithAad(context, frame, aad, destination, out bytesWritten);
        }
        finally
        {
            Return(_idleOpeners, context);
        }
    }

    /// <exception cref="MalformedFrameException">The bytes are not a data frame.</exception>
    /// <exception cref="FrameAuthenticationException">The frame does not authenticate for this key and AAD.</exception>
    public int Decrypt(ReadOnlySpan<byte> frame, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, Span<byte> destination) =>
        TryDecrypt(frame, threadId, recordId, destination, out int written) ? written : throw DataFrame.OpenError(frame);

    /// <summary>Encrypts with a caller-chosen nonce. Only for known-answer tests: nonces must never repeat under a key.</summary>
    internal int EncryptWithNonceForTesting(
        uint dekVersion, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> destination)
        => Seal(dekVersion, threadId, recordId, plaintext, destination, nonce);

    private int Seal(
        uint dekVersion, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, ReadOnlySpan<byte> plaintext, Span<byte> destination, ReadOnlySpan<byte> nonceForTesting)
    {
        if (OnAesNi(plaintext.Length))
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return DataFrame.Seal(new AesNiGcm(_schedule), dekVersion, threadId, recordId, plaintext, destination, nonceForTesting);
        }

        GcmContext context = Rent(_idleSealers, encrypt: true);
        try
        {
            return DataFrame.Seal(context, dekVersion, threadId, recordId, plaintext, destination, nonceForTesting);
        }
        finally
        {
            Return(_idleSealers, context);
        }
    }

    /// <summary>Frees idle contexts and zeroes the key and schedule; contexts still rented are freed when returned.</summary>
    public void Dispose()
    {
        lock (_createLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _memory.Release(_key);
            if (_schedule != null)
            {
                _memory.ReleaseSchedule(_schedule);
            }
        }

        foreach (nint[] pool in (ReadOnlySpan<nint[]>)[_idleSealers, _idleOpeners])
        {
            for (int i = 0; i < pool.Length; i++)
            {
                nint handle = Interlocked.Exchange(ref pool[i], 0);
                if (handle != 0)
                {
                    GcmContext.FromHandle(handle).Free();
                }
            }
        }
    }

    private bool OnAesNi(int plaintextLength) => _schedule != null && plaintextLength <= MaxAesNiFrameBytes;

    private GcmContext Rent(nint[] pool, bool encrypt)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int start = Thread.GetCurrentProcessorId();
        for (int i = 0; i < Probes; i++)
        {
            ref nint slot = ref pool[(start + i) & (pool.Length - 1)];
            nint handle = Volatile.Read(ref slot);
            if (handle != 0 && Interlocked.CompareExchange(ref slot, 0, handle) == handle)
            {
                return GcmContext.FromHandle(handle);
            }
        }

        return Create(encrypt);
    }

    private void Return(nint[] pool, GcmContext context)
    {
        if (!_disposed && TryPark(pool, context.Handle))
        {
            return;
        }

        context.Free();
    }

    private bool TryPark(nint[] pool, nint handle)
    {
        int start = Thread.GetCurrentProcessorId();
        for (int i = 0; i < Probes; i++)
        {
            ref nint slot = ref pool[(start + i) & (pool.Length - 1)];
            if (Volatile.Read(ref slot) == 0 && Interlocked.CompareExchange(ref slot, handle, 0) == 0)
            {
                // Dispose may have drained the slots just before this context landed; whoever
                // exchanges it out (Dispose or this check) frees it, exactly once.
                if (_disposed && Interlocked.Exchange(ref slot, 0) is var parked && parked != 0)
                {
                    GcmContext.FromHandle(parked).Free();
                }

                return true;
            }
        }

        return false;
    }

    private GcmContext Create(bool encrypt)
    {
        // Serialised with Dispose so a context is never keyed from a slot being zeroed.
        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return GcmContext.Create(_key, encrypt);
        }
    }
}
