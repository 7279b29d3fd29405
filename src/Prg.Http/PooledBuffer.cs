// A growable byte buffer on ArrayPool: request bodies and response bodies are written here and reused.
// Only arrays up to MaxPooledLength are pooled and kept between uses: a connection that once built a
// 100 MB page must neither keep that array nor park it in the shared pool, so memory comes back once
// the response is gone.
using System.Buffers;

namespace Prg.Http;

public sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    internal const int MaxPooledLength = 1024 * 1024;

    private readonly int _initialCapacity;
    private byte[] _buffer;
    private int _written;

    public PooledBuffer(int initialCapacity = 512)
    {
        _initialCapacity = initialCapacity;
        _buffer = Rent(initialCapacity);
    }

    public int WrittenCount => _written;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Empties the buffer; an array too large to pool is let go for the GC.</summary>
    public void Clear()
    {
        _written = 0;
        if (_buffer.Length > MaxPooledLength)
        {
            _buffer = Rent(_initialCapacity);
        }
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        _written += data.Length;
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }
        // Large buffers grow by half rather than double: a client that does not read holds its
        // response's buffer, and the slack beyond the response is memory held for nothing.
        var grown = _buffer.Length >= MaxPooledLength ? _buffer.Length + (long)_buffer.Length / 2 : (long)_buffer.Length * 2;
        var next = Rent((int)Math.Min(Array.MaxLength, Math.Max(grown, (long)_written + needed)));
        _buffer.AsSpan(0, _written).CopyTo(next);
        Return(_buffer);
        _buffer = next;
    }

    private static byte[] Rent(int length) =>
        length <= MaxPooledLength ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);

    private static void Return(byte[] array)
    {
        if (array.Length is > 0 and <= MaxPooledLength)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    public void Dispose()
    {
        Return(_buffer);
        _buffer = [];
        _written = 0;
    }
}
