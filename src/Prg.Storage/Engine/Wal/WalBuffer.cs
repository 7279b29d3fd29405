// One in-memory stretch of a WAL segment: appenders fill it under the writer's lock, the committer
// writes what is new from it to the segment file. Its start is page aligned so the committer always
// writes whole pages (no read-before-write of an uncached page of a recycled segment).
namespace Prg.Storage.Engine.Wal;

internal sealed class WalBuffer(int capacity)
{
    public const int PageSize = 4096;

    public byte[] Data { get; } = new byte[capacity];

    /// <summary>Segment this buffer belongs to.</summary>
    public long Segment { get; private set; }

    /// <summary>Offset of <c>Data[0]</c> in the segment (page aligned).</summary>
    public long SegmentOffset { get; private set; }

    /// <summary>Bytes of <see cref="Data"/> holding log content (guarded by the writer's lock).</summary>
    public int Length { get; set; }

    /// <summary>Bytes already written to the file (committer only).</summary>
    public int Written { get; set; }

    /// <summary>True once appenders moved on to another buffer.</summary>
    public bool Sealed { get; set; }

    public int Free => Data.Length - Length;

    public void Reset(long segment, long segmentOffset)
    {
        Data.AsSpan(0, Math.Min(Data.Length, AlignUp(Length))).Clear();
        Segment = segment;
        SegmentOffset = segmentOffset;
        Length = 0;
        Written = 0;
        Sealed = false;
    }

    public static long AlignDown(long value) => value & ~(long)(PageSize - 1);

    public static int AlignUp(int value) => (value + PageSize - 1) & ~(PageSize - 1);
}
