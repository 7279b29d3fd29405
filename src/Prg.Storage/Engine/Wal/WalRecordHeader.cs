// The 24-byte frame in front of every WAL record. Replay trusts a record only if its checksum
// verifies AND it sits exactly at the LSN it names: a stale record from a recycled segment's previous
// lap, or leftovers of an older incarnation, can never pass for part of the current log.
using System.Buffers.Binary;

namespace Prg.Storage.Engine.Wal;

/// <summary>
/// Layout (little endian): <c>length:u32 | crc32c:u32 | lsn:u64 | durableBefore:u64 | payload | pad to 8</c>.
/// The CRC covers length, lsn, durableBefore and the payload. <c>durableBefore</c> is the LSN up to
/// which the log was already fsynced when the record was appended: a damaged record followed by a
/// valid one whose durableBefore lies past it was durable before the crash (damage), otherwise it may
/// be the torn tail of the last unfinished flush.
/// </summary>
internal readonly record struct WalRecordHeader(uint Length, uint Crc, long Lsn, long DurableBefore)
{
    public const int Size = 24;
    public const int Alignment = 8;

    /// <summary>Length value of the end-of-segment marker: the log continues at the next segment.</summary>
    public const uint SegmentEndMarker = uint.MaxValue;

    public bool IsSegmentEnd => Length == SegmentEndMarker;

    /// <summary>Bytes a record with <paramref name="payloadLength"/> payload bytes occupies in the log.</summary>
    public static int FramedSize(int payloadLength) => Align((long)Size + payloadLength);

    public static int Align(long size) => (int)((size + Alignment - 1) & ~(long)(Alignment - 1));

    /// <summary>Writes the frame of <paramref name="payload"/> (or a segment-end marker when null) into <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, long lsn, long durableBefore, ReadOnlySpan<byte> payload, bool segmentEnd = false)
    {
        uint length = segmentEnd ? SegmentEndMarker : (uint)payload.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], lsn);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], durableBefore);
        if (!segmentEnd)
        {
            payload.CopyTo(destination[Size..]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(destination[..Size], segmentEnd ? default : payload));
    }

    public static WalRecordHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[16..]));

    /// <summary>
    /// True if <paramref name="source"/> starts with an intact record (or segment-end marker) written at
    /// <paramref name="lsn"/>, whose framed size fits in <paramref name="source"/>.
    /// </summary>
    public static bool TryVerify(ReadOnlySpan<byte> source, long lsn, out WalRecordHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return false;
        }

        header = Read(source);
        if (header.Lsn != lsn || header.DurableBefore > lsn)
        {
            return false;
        }

        ReadOnlySpan<byte> payload = default;
        if (!header.IsSegmentEnd)
        {
            if (header.Length > (uint)(source.Length - Size))
            {
                return false;
            }

            payload = source.Slice(Size, (int)header.Length);
        }
        return Checksum(source[..Size], payload) == header.Crc;
    }

    /// <summary>True if the header bytes are all zero (never written).</summary>
    public static bool IsBlank(ReadOnlySpan<byte> source) => source.Length >= Size && !source[..Size].ContainsAnyExcept((byte)0);

    private static uint Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        uint crc = Crc32C.Append(0, header[..4]);
        crc = Crc32C.Append(crc, header[8..Size]);
        return Crc32C.Append(crc, payload);
    }
}
