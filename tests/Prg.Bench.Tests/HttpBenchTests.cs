// The load generator against an in-process stand-in server: set-up, closed and open loop,
// pipelining, Unix sockets, error counting by status, and the report it produces.
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Prg.Bench.Tests;

[Collection(CpuHeavy.Name)]
public class HttpBenchTests
{
    private static HttpBenchOptions Options(EndPoint target, params (string Name, string Value)[] extra)
    {
        var values = new Dictionary<string, string> { ["api-key"] = "bench-key", ["seconds"] = "0.5", ["connections"] = "4", ["chat-threads"] = "3", ["seed-messages"] = "2" };
        if (target is IPEndPoint ip)
        {
            values["url"] = $"http://127.0.0.1:{ip.Port}";
        }
        else
        {
            values["unix"] = ((UnixDomainSocketEndPoint)target).ToString();
        }

        foreach ((string name, string value) in extra)
        {
            values[name] = value;
        }

        return HttpBenchOptions.Parse(OptionReader.FromDictionary("bench http", values));
    }

    private static ReportValue Cell(BenchReport report, string section, string row, string column)
    {
        ReportSection s = report.FindSection(section) ?? throw new Xunit.Sdk.XunitException($"no section {section}");
        int c = s.Columns.ToList().FindIndex(x => x.Key == column);
        ReportValue[] r = row == "" ? s.Rows[0] : s.Rows.Single(x => x[0].Text == row);
        return r[c];
    }

    [Fact]
    public async Task A_closed_loop_run_creates_and_seeds_threads_then_posts_and_reads()
    {
        await using var server = FakeApiServer.StartTcp();
        BenchReport report = await HttpBench.RunAsync(Options(server.EndPoint, ("threads", "2"), ("pipeline", "2"), ("seconds", "1")), ProgressReporter.Silent);

        Assert.Equal(3, server.Creates);               // the chat threads, created up front
        Assert.True(server.Posts > 3 * 2);              // the seed messages, then the run's posts
        Assert.True(server.Gets > 0);
        Assert.Equal("Authorization: Bearer bench-key", server.LastAuthorization);

        double posts = Cell(report, "latency", "post", "ok").Number;
        double gets = Cell(report, "latency", "get", "ok").Number;
        Assert.True(posts > 0 && gets > 0, $"posts {posts}, gets {gets}");
        Assert.True(Math.Abs(posts - gets) <= 8, "post=1,get=1 alternates on every connection");
        Assert.Equal(0, Cell(report, "summary", "", "errors").Number);
        Assert.Null(report.FindSection("errors"));
        Assert.True(Cell(report, "latency", "all", "p50_ms").Number > 0);
        Assert.True(Cell(report, "latency", "all", "p99_ms").Number >= Cell(report, "latency", "all", "p50_ms").Number);
    }

    [Fact]
    public async Task An_open_loop_run_sends_about_the_requested_rate()
    {
        await using var server = FakeApiServer.StartTcp();
        BenchReport report = await HttpBench.RunAsync(
            Options(server.EndPoint, ("rate", "200"), ("seconds", "1"), ("mix", "post=1")), ProgressReporter.Silent);

        double requests = Cell(report, "summary", "", "requests").Number;
        Assert.InRange(requests, 120, 260); // 200/s for 1 s; loose, the machine is shared
        Assert.Equal("200", report.Parameters.Single(p => p.Key == "rate").Value);
        Assert.Null(report.FindSection("latency")!.Rows.FirstOrDefault(r => r[0].Text == "get"));
    }

    [Fact]
    public async Task Runs_over_a_unix_socket()
    {
        string path = Path.Combine(Path.GetTempPath(), $"prg-bench-{Guid.NewGuid():N}.sock");
        try
        {
            await using var server = FakeApiServer.StartUnix(path);
            BenchReport report = await HttpBench.RunAsync(
                Options(new UnixDomainSocketEndPoint(path), ("mix", "create=1")), ProgressReporter.Silent);
            Assert.True(Cell(report, "latency", "create", "ok").Number > 0);
            Assert.Equal("unix:" + path, report.Parameters.Single(p => p.Key == "target").Value);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Unexpected_statuses_are_counted_by_kind_and_status()
    {
        await using var server = FakeApiServer.StartTcp((method, path) =>
            method == "GET" && path.Contains("/messages", StringComparison.Ordinal) ? (503, "{\"error\":\"busy\"}") : null);
        BenchReport report = await HttpBench.RunAsync(Options(server.EndPoint, ("seed-messages", "0")), ProgressReporter.Silent);

        Assert.Equal(0, Cell(report, "latency", "get", "ok").Number);
        ReportSection errors = report.FindSection("errors")!;
        ReportValue[] row = Assert.Single(errors.Rows);
        Assert.Equal(("get", "503"), (row[0].Text, row[1].Text));
        Assert.Equal(Cell(report, "latency", "get", "requests").Number, row[2].Number);
        Assert.Equal(row[2].Number, Cell(report, "summary", "", "errors").Number);
    }

    [Fact]
    public async Task A_refused_thread_create_fails_the_run_with_the_server_answer()
    {
        await using var server = FakeApiServer.StartTcp((_, _) => (401, "{\"error\":\"unauthorized\"}"));
        var e = await Assert.ThrowsAsync<BenchFailedException>(() => HttpBench.RunAsync(Options(server.EndPoint), ProgressReporter.Silent));
        Assert.Contains("creating a thread: the server answered 401: {\"error\":\"unauthorized\"}", e.Message);
        Assert.Contains("check --api-key", e.Message);
    }

    [Fact]
    public async Task An_unreachable_server_fails_the_run_clearly()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var e = await Assert.ThrowsAsync<BenchFailedException>(() =>
            HttpBench.RunAsync(Options(new IPEndPoint(IPAddress.Loopback, port)), ProgressReporter.Silent));
        Assert.Contains($"cannot connect to http://127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public async Task The_json_report_of_a_run_has_summary_and_latency_rows()
    {
        await using var server = FakeApiServer.StartTcp();
        BenchReport report = await HttpBench.RunAsync(Options(server.EndPoint, ("mix", "post=3,get=1")), ProgressReporter.Silent);
        using var stream = new MemoryStream();
        ReportWriter.WriteJson(report, stream);
        using JsonDocument json = JsonDocument.Parse(stream.ToArray());
        JsonElement sections = json.RootElement.GetProperty("sections");
        JsonElement summary = sections.GetProperty("summary")[0];
        long latencyRequests = sections.GetProperty("latency").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() != "all").Sum(r => r.GetProperty("requests").GetInt64());
        Assert.Equal(summary.GetProperty("requests").GetInt64(), latencyRequests);
        Assert.Equal(latencyRequests / summary.GetProperty("seconds").GetDouble(), summary.GetProperty("requests_per_second").GetDouble(), 3);
        string[] kinds = [.. sections.GetProperty("latency").EnumerateArray().Select(r => r.GetProperty("kind").GetString()!)];
        Assert.Equal(["post", "get", "all"], kinds);
        Assert.Equal("post=3,get=1,create=0", json.RootElement.GetProperty("parameters").GetProperty("mix").GetString());
    }

    [Fact]
    public async Task Cancelling_stops_a_run_early()
    {
        await using var server = FakeApiServer.StartTcp();
        using var cancel = new CancellationTokenSource();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Task<BenchReport> run = HttpBench.RunAsync(Options(server.EndPoint, ("seconds", "60"), ("mix", "post=1")), ProgressReporter.Silent, cancel.Token);
        await Task.Delay(500);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the run went on after it was cancelled");
    }

    [Fact]
    public void The_thread_key_is_read_from_a_create_response()
    {
        Assert.Equal("t-1", HttpBench.ReadThreadKey(201, "{\"thread\":{\"key\":\"nested\"},\"key\":\"t-1\"}"u8.ToArray()));
        var e = Assert.Throws<BenchFailedException>(() => HttpBench.ReadThreadKey(201, "{\"thread\":{}}"u8.ToArray()));
        Assert.Contains("has no \"key\"", e.Message);
    }
}
