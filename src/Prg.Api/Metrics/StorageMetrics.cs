// The storage engine's counters appended to /metrics: commits, the fsyncs they shared (group
// commit), WAL and hybrid-log sizes, checkpoints, compactions and background failures (which in
// relaxed durability are the only sign of a failed flush).
using System.Buffers;
using System.Globalization;
using System.Text;
using Prg.Storage.Engine;

namespace Prg.Api.Metrics;

public sealed class StorageMetrics(DurableKv kv)
{
    public void Write(IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(1024);
        Counter(sb, "prg_storage_commits_total", "Atomic write batches committed.", kv.Commits);
        Counter(sb, "prg_storage_wal_fsyncs_total", "Write-ahead log flushes to disk (shared by group commit).", kv.Fsyncs);
        Counter(sb, "prg_storage_wal_bytes_total", "Bytes appended to the write-ahead log.", kv.BytesAppended);
        Counter(sb, "prg_storage_checkpoints_total", "FASTER checkpoints taken.", kv.Checkpoints);
        Counter(sb, "prg_storage_compactions_total", "Hybrid-log compactions run.", kv.Compactions);
        Counter(sb, "prg_storage_maintenance_errors_total", "Background flush, checkpoint or compaction failures.", kv.MaintenanceErrors);
        Gauge(sb, "prg_storage_wal_bytes_since_checkpoint", "WAL bytes recovery would replay now.", kv.WalBytesSinceCheckpoint);
        Gauge(sb, "prg_storage_hybrid_log_bytes", "Logical size of the FASTER hybrid log.", kv.HybridLogBytes);
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static void Counter(StringBuilder sb, string name, string help, long value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    private static void Gauge(StringBuilder sb, string name, string help, long value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");
}
