// One secret in locked native memory (see LockedMemory). Dispose zeroes the bytes, then unlocks and
// unmaps them; the span must not be used after that.
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>A fixed-length secret buffer outside the managed heap.</summary>
public sealed unsafe class LockedBuffer : IDisposable
{
    private readonly nint _address;
    private readonly nuint _size;
    private readonly bool _locked;
    private int _released;

    internal LockedBuffer(nint address, nuint size, int length, bool locked)
    {
        _address = address;
        _size = size;
        _locked = locked;
        Length = length;
    }

    public int Length { get; }

    /// <summary>Whether mlock succeeded for this buffer.</summary>
    public bool IsLocked => _locked;

    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>The secret bytes; valid until <see cref="Dispose"/>.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsReleased, this);
            return new Span<byte>((void*)_address, Length);
        }
    }

    /// <summary>Test hook: sees the whole mapping after zeroing, just before it is unmapped.</summary>
    internal Action<byte[]>? OnReleaseForTesting { get; set; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        var whole = new Span<byte>((void*)_address, (int)_size);
        CryptographicOperations.ZeroMemory(whole);
        OnReleaseForTesting?.Invoke(whole.ToArray());
        LockedMemory.Release(_address, _size, _locked);
        GC.SuppressFinalize(this);
    }

    ~LockedBuffer() => Dispose();
}
