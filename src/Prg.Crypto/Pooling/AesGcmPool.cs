// A bounded pool of AesGcm instances for one key. AesGcm is not thread-safe and costs about a
// microsecond (plus a native context) to create, so each DEK keeps a few ready instances that
// concurrent requests rent and return instead of creating one per call.
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>
/// Pool of <see cref="AesGcm"/> instances (16-byte tags) for one AES-256 key. Renting never blocks:
/// when every pooled instance is out, a new one is created; returns beyond the capacity are disposed.
/// The pool holds its own pinned copy of the key and zeroes it on <see cref="Dispose"/>.
/// </summary>
public sealed class AesGcmPool : IDisposable
{
    /// <summary>Upper bound on <see cref="Capacity"/>: far more than the cores of any host prg targets.</summary>
    public const int MaxCapacity = 1024;

    private readonly byte[] _key;
    private readonly AesGcm?[] _items;
    private readonly Lock _createLock = new();
    private volatile bool _disposed;

    /// <param name="key">A 32-byte key; copied into a pinned buffer owned by the pool.</param>
    /// <param name="capacity">How many idle instances the pool keeps (1..1024).</param>
    public AesGcmPool(ReadOnlySpan<byte> key, int capacity)
    {
        if (key.Length != MasterKey.KeyLength)
        {
            throw new ArgumentException($"an AES-256 key must be {MasterKey.KeyLength} bytes; got {key.Length}", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _key = GC.AllocateArray<byte>(MasterKey.KeyLength, pinned: true);
        key.CopyTo(_key);
        _items = new AesGcm?[capacity];
    }

    public int Capacity => _items.Length;

    /// <summary>True once disposed (the key is zeroed).</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Idle instances currently pooled (for tests and metrics).</summary>
    public int IdleCount
    {
        get
        {
            int count = 0;
            foreach (AesGcm? item in _items)
            {
                if (item is not null)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>The pool's key buffer, so tests can observe that disposal zeroes it.</summary>
    internal byte[] KeyBufferForTesting => _key;

    /// <summary>Takes an instance for exclusive use until the lease is disposed (once).</summary>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public AesGcmLease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        AesGcm?[] items = _items;
        for (int i = 0; i < items.Length; i++)
        {
            AesGcm? item = Volatile.Read(ref items[i]);
            if (item is not null && Interlocked.CompareExchange(ref items[i], null, item) == item)
            {
                return new AesGcmLease(this, item);
            }
        }

        return new AesGcmLease(this, Create());
    }

    /// <summary>Disposes idle instances and zeroes the key. Leased instances are disposed when returned.</summary>
    public void Dispose()
    {
        lock (_createLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CryptographicOperations.ZeroMemory(_key);
        }

        for (int i = 0; i < _items.Length; i++)
        {
            Interlocked.Exchange(ref _items[i], null)?.Dispose();
        }
    }

    internal void Return(AesGcm aes)
    {
        if (!_disposed)
        {
            AesGcm?[] items = _items;
            for (int i = 0; i < items.Length; i++)
            {
                if (Volatile.Read(ref items[i]) is null && Interlocked.CompareExchange(ref items[i], aes, null) is null)
                {
                    // Dispose may have drained the slots just before this instance landed; whoever
                    // exchanges it out (Dispose or this check) disposes it, exactly once.
                    if (_disposed)
                    {
                        Interlocked.Exchange(ref items[i], null)?.Dispose();
                    }

                    return;
                }
            }
        }

        aes.Dispose();
    }

    private AesGcm Create()
    {
        // Serialised with Dispose so an instance is never built from a key being zeroed.
        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new AesGcm(_key, DataFrame.TagLength);
        }
    }
}
