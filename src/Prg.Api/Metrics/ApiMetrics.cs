// Request counters and latency histograms per route and status class, exported in Prometheus text
// format. Lock-free: one Interlocked add per counter per request.
using System.Buffers;
using System.Globalization;
using System.Text;
using Prg.Storage.Chat;

namespace Prg.Api.Metrics;

public sealed class ApiMetrics
{
    private static readonly double[] s_bucketSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private readonly List<string> _routes = [];
    private long[] _counts = [];     // [route * 5 + statusClass]
    private long[] _buckets = [];    // [route * (buckets + 1) + bucket]
    private long[] _sumMicros = [];
    private long _internalErrors;

    /// <summary>Extra gauges/counters (storage, crypto) appended to the export.</summary>
    public Action<IBufferWriter<byte>>? AppendExtra { get; set; }

    public int Register(string route)
    {
        _routes.Add(route);
        _counts = new long[_routes.Count * 5];
        _buckets = new long[_routes.Count * (s_bucketSeconds.Length + 1)];
        _sumMicros = new long[_routes.Count];
        return _routes.Count - 1;
    }

    /// <summary>A request failed in a way no handler answered (a bug): it got a 500.</summary>
    public void RecordInternalError() => Interlocked.Increment(ref _internalErrors);

    public void Record(int route, int status, long elapsedTicks)
    {
        var statusClass = Math.Clamp(status / 100 - 1, 0, 4);
        Interlocked.Increment(ref _counts[route * 5 + statusClass]);
        var seconds = (double)elapsedTicks / System.Diagnostics.Stopwatch.Frequency;
        var bucket = 0;
        while (bucket < s_bucketSeconds.Length && seconds > s_bucketSeconds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _buckets[route * (s_bucketSeconds.Length + 1) + bucket]);
        Interlocked.Add(ref _sumMicros[route], (long)(seconds * 1_000_000));
    }

    public void WritePrometheus(IBufferWriter<byte> output, StoreStats stats)
    {
        var sb = new StringBuilder(4096);
        sb.Append("# HELP prg_http_requests_total HTTP requests by route and status class.\n# TYPE prg_http_requests_total counter\n");
        for (var r = 0; r < _routes.Count; r++)
        {
            for (var c = 0; c < 5; c++)
            {
                var n = Volatile.Read(ref _counts[r * 5 + c]);
                if (n > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"prg_http_requests_total{{route=\"{_routes[r]}\",status=\"{c + 1}xx\"}} {n}\n");
                }
            }
        }
        sb.Append("# HELP prg_http_request_duration_seconds Request latency by route.\n# TYPE prg_http_request_duration_seconds histogram\n");
        for (var r = 0; r < _routes.Count; r++)
        {
            var first = r * (s_bucketSeconds.Length + 1);
            PrometheusText.HistogramSeries(sb, "prg_http_request_duration_seconds", $"route=\"{_routes[r]}\"", s_bucketSeconds,
                b => Volatile.Read(ref _buckets[first + b]), Volatile.Read(ref _sumMicros[r]) / 1e6);
        }
        sb.Append("# HELP prg_internal_errors_total Requests that failed with an unexpected exception (answered 500).\n# TYPE prg_internal_errors_total counter\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_internal_errors_total {Interlocked.Read(ref _internalErrors)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"# TYPE prg_threads gauge\nprg_threads {stats.LiveThreads}\n# TYPE prg_messages gauge\nprg_messages {stats.LiveMessages}\n");
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        output.Write(bytes);
        AppendExtra?.Invoke(output);
    }
}
