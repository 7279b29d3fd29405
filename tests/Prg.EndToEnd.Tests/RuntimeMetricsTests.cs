// /metrics carries the runtime and process figures that tell a stall's cause apart in production
// (GC, thread pool, memory, CPU, descriptors) and the WAL's fdatasync latency histogram.
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Prg.EndToEnd.Tests;

public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task MetricsExportRuntimeFiguresAndTheCommitLatencyHistogram()
    {
        await using var server = await PrgProcess.StartAsync();
        using var api = new ApiClient(server.Port);
        var thread = await api.CreateThreadAsync("alice", "metrics");
        for (int i = 0; i < 5; i++)
        {
            await api.PostMessageAsync("alice", thread, JsonValue.Create($"m{i}"));
        }

        var (status, _, raw) = await api.SendAsync(HttpMethod.Get, "/metrics", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        string metrics = await raw.Content.ReadAsStringAsync();

        Assert.True(Value(metrics, "dotnet_gc_collections_total{generation=\"gen0\"}") >= 0);
        Assert.True(Value(metrics, "dotnet_gc_pause_seconds_total") >= 0);
        Assert.True(Value(metrics, "dotnet_threadpool_threads") >= 1);
        Assert.True(Value(metrics, "dotnet_threadpool_queue_length") >= 0);
        Assert.True(Value(metrics, "process_resident_memory_bytes") > 1 << 20);
        Assert.True(Value(metrics, "process_cpu_seconds_total") > 0);
        Assert.True(Value(metrics, "process_open_fds") > 3);
        // Six durable commits (thread + five posts) waited for at least one fdatasync each round.
        double syncs = Value(metrics, "prg_storage_commit_seconds_count");
        Assert.True(syncs >= 1, $"commit latency observations {syncs}");
        Assert.Equal(syncs, Value(metrics, "prg_storage_commit_seconds_bucket{le=\"+Inf\"}"));
        Assert.Equal(syncs, Value(metrics, "prg_storage_wal_fsyncs_total"));
        Assert.Equal(0, Value(metrics, "prg_storage_torn_tail_records_total"));
    }

    private static double Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} missing from /metrics");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
