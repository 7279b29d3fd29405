// Open-time recovery: load the latest FASTER checkpoint, replay the WAL from the position recorded in
// it (every record verified, see WalReader), fence off whatever a torn tail left behind, and start the
// WAL writer where the log ends.
using System.Buffers.Binary;
using System.Diagnostics;
using Prg.Storage.Engine.Wal;

namespace Prg.Storage.Engine;

public sealed partial class DurableKv
{
    private void Recover()
    {
        var clock = Stopwatch.StartNew();
        bool hasCheckpoint = _checkpointManager.GetLogCheckpointTokens().Any();
        long start = 0;
        if (hasCheckpoint)
        {
            try
            {
                _store.Recover();
            }
            catch (Exception e)
            {
                throw new StoreOpenException($"cannot recover the checkpoint in {_checkpointDir}: {e.Message}", e);
            }
            byte[]? cookie = _store.RecoveredCommitCookie;
            if (cookie is not { Length: 8 })
            {
                throw new StoreOpenException($"the latest checkpoint in {_checkpointDir} does not record its write-ahead log position; refusing to start");
            }

            start = BinaryPrimitives.ReadInt64LittleEndian(cookie);
        }

        Action<string> report = _options.RecoveryLog ?? (_ => { });
        var reader = new WalReader(_segments, _options.Salvage, report);
        WalRecovery recovery = reader.Replay(start, record => ApplyRecord(_writerSession, record));
        (long resume, byte[] prefix) = FenceTail(recovery);

        _wal = new WalWriter(_segments, resume, prefix, 1 << _options.WalPageSizeBits,
            1 << (_options.WalMemorySizeBits - _options.WalPageSizeBits),
            _options.Durability == Durability.Relaxed, _options.RelaxedFlushInterval, _commitLatency);
        _wal.Start();

        _lastCheckpointWal = start;
        _lastCheckpointTimestamp = Stopwatch.GetTimestamp();
        _hlogBytesAfterCompaction = HybridLogBytes;
        bool dropped = recovery.TornTailLsn >= 0 || recovery.Skipped.Count > 0;
        // Any replay is folded into a new checkpoint right away (the next open replays nothing).
        if (recovery.Replayed > 0 || dropped)
        {
            Task.Run(CheckpointCoreAsync).GetAwaiter().GetResult();
        }

        if (recovery.Skipped.Count > 0)
        {
            report($"salvage: {recovery.Skipped.Count} damaged range(s), {recovery.Skipped.Sum(r => r.To - r.From)} bytes of write-ahead log skipped; {recovery.Replayed} records applied");
        }

        LastRecoveryReplayCount = recovery.Replayed;
        LastRecoveryDroppedTornRecord = recovery.TornTailLsn >= 0;
        SalvagedRanges = recovery.Skipped;
        LastRecoveryTime = clock.Elapsed;
    }

    /// <summary>
    /// Where writing resumes. After a clean end, right there. If unacknowledged bytes that still
    /// verify lie after the end (a torn flush), new records must never be chained to them: a durable
    /// segment-end marker goes at the end (and at the start of every later segment holding
    /// leftovers), and writing resumes in a fresh segment.
    /// </summary>
    private (long Resume, byte[] Prefix) FenceTail(WalRecovery recovery)
    {
        if (recovery.LastSegmentWithLeftovers < 0)
        {
            return (recovery.EndLsn, recovery.TailPagePrefix);
        }

        long size = _segments.SegmentSize;
        _segments.WriteSegmentEnd(recovery.EndLsn);
        for (long segment = recovery.EndLsn / size + 1; segment <= recovery.LastSegmentWithLeftovers; segment++)
        {
            _segments.WriteSegmentEnd(segment * size);
        }

        long resume = (recovery.LastSegmentWithLeftovers + 1) * size;
        _segments.Prepare(resume / size);
        return (resume, []);
    }
}
