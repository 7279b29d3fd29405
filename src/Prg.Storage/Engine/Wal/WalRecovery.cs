// What a WAL replay found: where the log ends, whether a torn tail was dropped, what salvage skipped.
namespace Prg.Storage.Engine.Wal;

internal sealed class WalRecovery
{
    /// <summary>Records applied.</summary>
    public long Replayed { get; set; }

    /// <summary>LSN just after the last valid record: where writing resumes.</summary>
    public long EndLsn { get; set; }

    /// <summary>LSN of the dropped torn record at the end of the log, or -1.</summary>
    public long TornTailLsn { get; set; } = -1;

    /// <summary>Damaged LSN ranges skipped by salvage (empty unless salvaging).</summary>
    public List<(long From, long To)> Skipped { get; } = [];

    /// <summary>
    /// Valid-looking but unacknowledged bytes lie after <see cref="EndLsn"/> up to the end of this
    /// segment: writing must resume in the next segment so they can never be chained to new records.
    /// -1 if the tail is clean.
    /// </summary>
    public long LastSegmentWithLeftovers { get; set; } = -1;

    /// <summary>The bytes of <see cref="EndLsn"/>'s page before it (the writer rewrites whole pages).</summary>
    public byte[] TailPagePrefix { get; set; } = [];
}
