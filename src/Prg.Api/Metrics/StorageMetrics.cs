// The storage engine's counters appended to /metrics: commits, the fsyncs they shared (group
// commit) and their latency, WAL and hybrid-log sizes, checkpoints, compactions, what recovery
// dropped, and background failures (which in relaxed durability are the only sign of a failed flush).
using System.Buffers;
using System.Text;
using Prg.Storage.Engine;
using static Prg.Api.Metrics.PrometheusText;

namespace Prg.Api.Metrics;

public sealed class StorageMetrics(IEngineStats kv)
{
    public void Write(IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(2048);
        Counter(sb, "prg_storage_commits_total", "Atomic write batches committed.", kv.Commits);
        Counter(sb, "prg_storage_wal_fsyncs_total", "Write-ahead log flushes to disk (shared by group commit).", kv.Fsyncs);
        Counter(sb, "prg_storage_wal_bytes_total", "Bytes appended to the write-ahead log.", kv.BytesAppended);
        Counter(sb, "prg_storage_checkpoints_total", "FASTER checkpoints taken.", kv.Checkpoints);
        Counter(sb, "prg_storage_compactions_total", "Hybrid-log compactions run.", kv.Compactions);
        Counter(sb, "prg_storage_maintenance_errors_total", "Background flush, checkpoint or compaction failures.", kv.MaintenanceErrors);
        Counter(sb, "prg_storage_torn_tail_records_total", "Torn records at the end of the write-ahead log dropped by recovery at start.", kv.TornTailRecords);
        Counter(sb, "prg_storage_salvaged_ranges_total", "Damaged write-ahead log ranges skipped by a --salvage start.", kv.SalvagedRanges.Count);
        Gauge(sb, "prg_storage_wal_bytes_since_checkpoint", "WAL bytes recovery would replay now.", kv.WalBytesSinceCheckpoint);
        Gauge(sb, "prg_storage_hybrid_log_bytes", "Logical size of the FASTER hybrid log.", kv.HybridLogBytes);
        Gauge(sb, "prg_storage_recovery_replayed_records", "WAL records replayed by the recovery at start.", kv.LastRecoveryReplayCount);
        Gauge(sb, "prg_storage_page_prefetch", "Page reads prefetch: 0 nothing, 1 hash buckets, 2 buckets and records (0 means FASTER's internal layout was not recognised).", kv.PagePrefetchStages);
        const string commit = "prg_storage_commit_seconds";
        Header(sb, commit, "histogram", "Latency of each write-ahead log fdatasync (what a durable commit waits for).");
        LatencyHistogram latency = kv.CommitLatency;
        HistogramSeries(sb, commit, "", LatencyHistogram.BucketBounds, latency.CountIn, latency.SumSeconds);
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }
}
