// Growable little-endian writer for the chat records' hand-written binary format.
using System.Buffers.Binary;
using System.Text;

namespace Prg.Storage.Chat.Records;

/// <summary>
/// Appends fixed-width integers and length-prefixed byte/string fields (length -1 = null).
/// </summary>
internal struct RecordWriter
{
    private byte[] _buffer;
    private int _length;

    public RecordWriter(int capacity)
    {
        _buffer = new byte[Math.Max(capacity, 16)];
        _length = 0;
    }

    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _length = 0;

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }
        int lengthAt = _length;
        Reserve(4);
        int start = _length;
        int written = Encoding.UTF8.GetBytes(value, Reserve(Encoding.UTF8.GetMaxByteCount(value.Length)));
        _length = start + written;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lengthAt), written);
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
        }

        Span<byte> span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
