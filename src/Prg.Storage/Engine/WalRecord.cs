// Binary layout of one WAL record (one committed WriteBatch) and its validating decoder.
using System.Buffers.Binary;

namespace Prg.Storage.Engine;

/// <summary>
/// WAL record layout (little endian):
/// <c>format:u8(=1) | count:i32 | count × op</c>, where op is
/// <c>0x01 | keyLen:i32 | key | valueLen:i32 | value</c> (put) or <c>0x02 | keyLen:i32 | key</c> (delete).
/// The WAL frames it (length, CRC-32C, LSN; see Wal/WalRecordHeader); the decoder additionally checks that the
/// record is exactly consumed so a damaged record is rejected rather than half-applied.
/// </summary>
internal static class WalRecord
{
    public const byte FormatVersion = 1;
    public const byte OpPut = 1;
    public const byte OpDelete = 2;
    public const int HeaderSize = 5;

    /// <summary>Checks that a whole record is well formed before any of it is applied.</summary>
    public static bool TryValidate(ReadOnlySpan<byte> record, out int count)
    {
        count = 0;
        if (record.Length < HeaderSize || record[0] != FormatVersion)
        {
            return false;
        }

        int declared = BinaryPrimitives.ReadInt32LittleEndian(record[1..]);
        if (declared < 0)
        {
            return false;
        }

        int pos = HeaderSize;
        for (int i = 0; i < declared; i++)
        {
            if (!TryReadOp(record, ref pos, out _, out _, out _))
            {
                return false;
            }
        }
        if (pos != record.Length)
        {
            return false;
        }

        count = declared;
        return true;
    }

    /// <summary>Reads the op at <paramref name="pos"/>; offsets are into <paramref name="record"/>.</summary>
    public static bool TryReadOp(ReadOnlySpan<byte> record, ref int pos, out byte op, out Range key, out Range value)
    {
        op = 0;
        key = default;
        value = default;
        if (record.Length - pos < 5)
        {
            return false;
        }

        op = record[pos];
        int keyLen = BinaryPrimitives.ReadInt32LittleEndian(record[(pos + 1)..]);
        pos += 5;
        if (keyLen <= 0 || keyLen > record.Length - pos)
        {
            return false;
        }

        key = new Range(pos, pos + keyLen);
        pos += keyLen;
        if (op == OpDelete)
        {
            return true;
        }

        if (op != OpPut || record.Length - pos < 4)
        {
            return false;
        }

        int valueLen = BinaryPrimitives.ReadInt32LittleEndian(record[pos..]);
        pos += 4;
        if (valueLen < 0 || valueLen > record.Length - pos)
        {
            return false;
        }

        value = new Range(pos, pos + valueLen);
        pos += valueLen;
        return true;
    }
}
