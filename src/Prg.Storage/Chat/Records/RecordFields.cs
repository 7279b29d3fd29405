// One list of a record's fields serves both directions: each record names its fields once, in stored
// order (IStoredRecord.Fields), and this walks them either reading stored bytes or writing them, so
// reading and writing can never disagree about a layout.
using System.Runtime.CompilerServices;

namespace Prg.Storage.Chat.Records;

/// <summary>Reads each field into, or writes it from, the variable it is given.</summary>
internal ref struct RecordFields
{
    private readonly ref RecordWriter _writer;
    private RecordReader _reader;
    private readonly bool _reading;

    private RecordFields(ref RecordWriter writer)
    {
        _writer = ref writer;
        _reading = false;
    }

    private RecordFields(ReadOnlySpan<byte> data)
    {
        _writer = ref Unsafe.NullRef<RecordWriter>();
        _reader = new RecordReader(data);
        _reading = true;
    }

    /// <summary>Writes the record-type byte, then the fields.</summary>
    public static void Write(ref RecordWriter writer, IStoredRecord record)
    {
        writer.WriteByte(record.Type);
        var fields = new RecordFields(ref writer);
        record.Fields(ref fields);
    }

    /// <summary>
    /// Fills <paramref name="record"/> from <paramref name="data"/>, which must hold exactly its type byte and
    /// fields.
    /// </summary>
    /// <exception cref="InvalidDataException">Another record type, truncated or trailing bytes, a bad length.</exception>
    public static T Read<T>(ReadOnlySpan<byte> data, T record) where T : IStoredRecord
    {
        var fields = new RecordFields(data);
        fields._reader.ExpectType(record.Type);
        record.Fields(ref fields);
        fields._reader.End();
        return record;
    }

    public void Byte(ref byte value)
    {
        if (_reading)
        {
            value = _reader.ReadByte();
        }
        else
        {
            _writer.WriteByte(value);
        }
    }

    /// <summary>A flag, stored as one byte (any non-zero byte reads as true).</summary>
    public void Bool(ref bool value)
    {
        byte b = value ? (byte)1 : (byte)0;
        Byte(ref b);
        value = b != 0;
    }

    public void Int32(ref int value)
    {
        if (_reading)
        {
            value = _reader.ReadInt32();
        }
        else
        {
            _writer.WriteInt32(value);
        }
    }

    public void Int64(ref long value)
    {
        if (_reading)
        {
            value = _reader.ReadInt64();
        }
        else
        {
            _writer.WriteInt64(value);
        }
    }

    /// <summary>A 64-bit mask, stored as the Int64 with the same bits.</summary>
    public void Bits(ref ulong value)
    {
        long bits = (long)value;
        Int64(ref bits);
        value = (ulong)bits;
    }

    public void Bytes(ref byte[] value)
    {
        if (_reading)
        {
            value = _reader.ReadBytes();
        }
        else
        {
            _writer.WriteBytes(value);
        }
    }

    public void Text(ref string value)
    {
        if (_reading)
        {
            value = _reader.ReadString();
        }
        else
        {
            _writer.WriteString(value);
        }
    }

    public void NullableText(ref string? value)
    {
        if (_reading)
        {
            value = _reader.ReadNullableString();
        }
        else
        {
            _writer.WriteString(value);
        }
    }
}
