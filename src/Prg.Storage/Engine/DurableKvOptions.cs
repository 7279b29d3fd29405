// Settings for DurableKv: location, durability mode, checkpoint/compaction policy and memory sizing.
namespace Prg.Storage.Engine;

/// <summary>Options for <see cref="DurableKv.Open"/>. Defaults suit a store of a few GB.</summary>
public sealed class DurableKvOptions
{
    /// <summary>
    /// Data directory (created 0700 if missing). Holds <c>kv/</c> (FASTER), <c>wal/</c> (segments),
    /// <c>FORMAT</c> and <c>LOCK</c> (record-locked while open).
    /// </summary>
    public required string Directory { get; init; }

    /// <summary>When a commit is acknowledged; see <see cref="Engine.Durability"/>.</summary>
    public Durability Durability { get; init; } = Durability.Fsync;

    /// <summary>Relaxed mode only: the background WAL flush period (the loss window).</summary>
    public TimeSpan RelaxedFlushInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>A checkpoint is taken at least this often while there are new commits.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A checkpoint is taken once this many WAL bytes were appended since the last one.</summary>
    public long CheckpointLogBytes { get; init; } = 64L << 20;

    /// <summary>How often the background maintenance loop evaluates the checkpoint/compaction triggers.</summary>
    public TimeSpan MaintenanceTick { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>In-memory part of the FASTER hybrid log, as a power of two (28 = 256 MB).</summary>
    public int MemorySizeBits { get; init; } = 28;

    /// <summary>FASTER hybrid log page size, power of two (22 = 4 MB). A record must fit in one page.</summary>
    public int PageSizeBits { get; init; } = 22;

    /// <summary>FASTER hybrid log segment (file) size, power of two (28 = 256 MB); disk is reclaimed per segment.</summary>
    public int SegmentSizeBits { get; init; } = 28;

    /// <summary>FASTER hash index size in bytes, power of two (26 = 64 MB, about 8M entries before overflow).</summary>
    public int IndexSizeBits { get; init; } = 26;

    /// <summary>WAL in-memory buffers (records not yet written), power of two (26 = 64 MB).</summary>
    public int WalMemorySizeBits { get; init; } = 26;

    /// <summary>WAL buffer size, power of two (22 = 4 MB). One commit batch must fit in one buffer.</summary>
    public int WalPageSizeBits { get; init; } = 22;

    /// <summary>WAL segment (file) size, power of two (24 = 16 MB, as PostgreSQL's); preallocated, recycled whole after a checkpoint.</summary>
    public int WalSegmentSizeBits { get; init; } = 24;

    /// <summary>
    /// FASTER's writes (hybrid-log flushes, checkpoint files) are made by one dedicated thread in chunks
    /// of this many bytes, one at a time, so no thread-pool thread ever blocks in a FASTER write and a
    /// WAL fdatasync never queues behind more than one chunk. A multiple of 4096; 0 = FASTER's own
    /// device (blocking writes on pool threads: a 0.5-3 s stall of every request at each checkpoint
    /// on a one- or two-core server; see docs/benchmarks.md).
    /// </summary>
    public int HybridLogWriteChunkBytes { get; init; } = 256 << 10;

    /// <summary>Compaction never runs while the hybrid log is smaller than this.</summary>
    public long CompactionMinBytes { get; init; } = 256L << 20;

    /// <summary>
    /// Compaction runs when the hybrid log has grown to this multiple of its size right after the
    /// previous compaction (2.0 = at least about half of it is estimated to be reclaimable).
    /// </summary>
    public double CompactionGrowthFactor { get; init; } = 2.0;

    /// <summary>
    /// Open a store whose write-ahead log is damaged anyway: apply every record that verifies, skip
    /// the damaged ranges and report them through <see cref="RecoveryLog"/> (an operator's explicit
    /// choice, <c>prg serve --salvage</c>). Without it such a store refuses to open.
    /// </summary>
    public bool Salvage { get; init; }

    /// <summary>Receives one line per recovery finding (a dropped torn tail, salvaged ranges).</summary>
    public Action<string>? RecoveryLog { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("DurableKvOptions.Directory is required.", nameof(Directory));
        }

        if (RelaxedFlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RelaxedFlushInterval), "must be positive");
        }

        if (CheckpointInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), "must be positive");
        }

        if (MaintenanceTick <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaintenanceTick), "must be positive");
        }

        if (CheckpointLogBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointLogBytes), "must be positive");
        }

        if (CompactionMinBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CompactionMinBytes), "must be positive");
        }

        if (!(CompactionGrowthFactor > 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(CompactionGrowthFactor), "must be greater than 1");
        }

        if (HybridLogWriteChunkBytes < 0 || HybridLogWriteChunkBytes % 4096 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(HybridLogWriteChunkBytes), HybridLogWriteChunkBytes, "must be 0 or a positive multiple of 4096");
        }

        CheckBits(PageSizeBits, 12, 30, nameof(PageSizeBits));
        CheckBits(MemorySizeBits, PageSizeBits + 1, 40, nameof(MemorySizeBits));
        CheckBits(SegmentSizeBits, PageSizeBits, 40, nameof(SegmentSizeBits));
        CheckBits(IndexSizeBits, 12, 36, nameof(IndexSizeBits));
        CheckBits(WalPageSizeBits, 12, 30, nameof(WalPageSizeBits));
        CheckBits(WalMemorySizeBits, WalPageSizeBits + 1, 36, nameof(WalMemorySizeBits));
        CheckBits(WalSegmentSizeBits, WalPageSizeBits, 40, nameof(WalSegmentSizeBits));
        // Every operation of a batch must fit in one hybrid-log page; the batch fits in one WAL page.
        if (WalPageSizeBits > PageSizeBits)
        {
            throw new ArgumentOutOfRangeException(nameof(WalPageSizeBits), WalPageSizeBits, "must not exceed PageSizeBits");
        }
    }

    private static void CheckBits(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"must be between {min} and {max}");
        }
    }
}
