// Bounds-checked reader for the chat records' binary format; damaged data raises InvalidDataException.
using System.Buffers.Binary;
using System.Text;

namespace Prg.Storage.Chat.Records;

/// <summary>Reads what <see cref="RecordWriter"/> wrote, validating every length.</summary>
internal ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public RecordReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    /// <summary>Checks the leading record-type byte.</summary>
    public void ExpectType(byte type)
    {
        byte actual = ReadByte();
        if (actual != type)
        {
            throw new InvalidDataException($"Stored record has type {actual}, expected {type}.");
        }
    }

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() => ReadByte() != 0;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public byte[]? ReadNullableBytes()
    {
        int length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw new InvalidDataException("Negative field length in stored record.");
        }

        return Take(length).ToArray();
    }

    public byte[] ReadBytes() => ReadNullableBytes() ?? throw new InvalidDataException("Unexpected null field in stored record.");

    public string? ReadNullableString()
    {
        int length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw new InvalidDataException("Negative field length in stored record.");
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    public string ReadString() => ReadNullableString() ?? throw new InvalidDataException("Unexpected null field in stored record.");

    /// <summary>A non-null string field's UTF-8 bytes, without decoding them (valid while the data is).</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        int length = ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException(length == -1 ? "Unexpected null field in stored record." : "Negative field length in stored record.");
        }

        return Take(length);
    }

    /// <summary>Ensures the record was consumed exactly.</summary>
    public readonly void End()
    {
        if (_pos != _data.Length)
        {
            throw new InvalidDataException("Trailing bytes in stored record.");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _data.Length - _pos)
        {
            throw new InvalidDataException("Stored record is truncated.");
        }

        ReadOnlySpan<byte> span = _data.Slice(_pos, length);
        _pos += length;
        return span;
    }
}
