// `prg bench http`: a load generator for the ProgressDB API. Creates its chat threads (and seeds
// them with a page of messages when the mix reads), then runs the mix over keep-alive connections
// on epoll worker threads and reports throughput, latency percentiles and errors by status.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Prg.Bench;

public static class HttpBench
{
    // Set-up requests go over this many connections at once, pipelined.
    private const int SetupConnections = 16;

    /// <summary>How long the measured part of <see cref="RunAsync"/> takes.</summary>
    public static TimeSpan ExpectedDuration(HttpBenchOptions options) => options.Duration;

    /// <exception cref="BenchFailedException">The server is unreachable or refused the set-up requests.</exception>
    public static async Task<BenchReport> RunAsync(HttpBenchOptions options, ProgressReporter progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        EndPoint target = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        var report = new BenchReport("http",
        [
            new("target", options.TargetDisplay),
            new("connections", Text(options.Connections)),
            new("threads", Text(options.Threads)),
            new("pipeline", Text(options.Pipeline)),
            new("seconds", options.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
            new("rate", options.Rate > 0 ? options.Rate.ToString("0.##", CultureInfo.InvariantCulture) : "closed-loop"),
            new("mix", options.Mix.ToString()),
            new("body_size", Text(options.BodySize)),
            new("user", options.User),
        ]);

        IReadOnlyList<string> threadKeys = options.Mix.NeedsThreads
            ? await PrepareThreadsAsync(options, target, cancellationToken).ConfigureAwait(false)
            : [];
        var templates = new RequestTemplates(options, threadKeys);
        RequestKind[] cycle = options.Mix.Cycle();
        long interval = options.Rate > 0 ? (long)(Stopwatch.Frequency * options.Connections / options.Rate) : 0;
        if (options.Rate > 0 && interval < 1)
        {
            interval = 1;
        }

        var workers = new HttpLoadWorker[options.Threads];
        try
        {
            int firstId = 0;
            for (int w = 0; w < workers.Length; w++)
            {
                int count = (options.Connections / options.Threads) + (w < options.Connections % options.Threads ? 1 : 0);
                workers[w] = new HttpLoadWorker(target, templates, cycle, firstId, count, options.Pipeline, interval);
                firstId += count;
                try
                {
                    workers[w].ConnectAll();
                }
                catch (SocketException e)
                {
                    throw new BenchFailedException($"cannot open {options.Connections} connections to {options.TargetDisplay}: {e.Message}", e);
                }
            }

            progress.Start(options.Duration);
            progress.BeginPhase("http " + options.Mix, () => workers.Sum(w => w.Completed));
            long start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);
            long deadline = start + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
            var threads = new Thread[workers.Length];
            var failures = new Exception?[workers.Length];
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int running = workers.Length;
            for (int w = 0; w < workers.Length; w++)
            {
                int index = w;
                threads[w] = new Thread(() =>
                {
                    try
                    {
                        workers[index].Run(start, deadline);
                    }
                    catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                    {
                        failures[index] = e;
                    }
                    finally
                    {
                        if (Interlocked.Decrement(ref running) == 0)
                        {
                            finished.TrySetResult();
                        }
                    }
                })
                {
                    IsBackground = true,
                    Name = $"bench-http-{w}",
                };
                threads[w].Start();
            }

            using (cancellationToken.UnsafeRegister(static w => Array.ForEach((HttpLoadWorker[])w!, static x => x.RequestStop()), workers))
            {
                await finished.Task.ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            foreach (Exception? failure in failures)
            {
                if (failure is not null)
                {
                    throw new BenchFailedException("a load generator thread failed: " + failure.Message, failure);
                }
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var stats = new HttpLoadStats();
            foreach (HttpLoadWorker worker in workers)
            {
                stats.Add(worker.Stats);
            }

            AddResults(report, options, stats, Math.Min(seconds, options.Duration.TotalSeconds));
            return report;
        }
        finally
        {
            foreach (HttpLoadWorker? worker in workers)
            {
                worker?.Dispose();
            }
        }
    }

    /// <summary>Fills the report's summary, latency and error tables from merged statistics.</summary>
    internal static void AddResults(BenchReport report, HttpBenchOptions options, HttpLoadStats stats, double seconds)
    {
        var latency = new ReportSection("latency", options.Rate > 0
                ? "Latency by request kind (ms, from when each request was due)"
                : "Latency by request kind (ms)",
            new("kind", "kind"), new("requests", "requests"), new("ok", "ok"), new("requests_per_second", "req/s"),
            new("mean_ms", "mean"), new("p50_ms", "p50"), new("p90_ms", "p90"), new("p99_ms", "p99"),
            new("p999_ms", "p99.9"), new("max_ms", "max"));
        var all = new LatencyHistogram();
        long requests = 0;
        long ok = 0;
        foreach (RequestKind kind in (RequestKind[])[RequestKind.Post, RequestKind.Get, RequestKind.Create])
        {
            LatencyHistogram h = stats.Latency[(int)kind];
            if (Weight(options.Mix, kind) == 0 && h.Count == 0)
            {
                continue;
            }

            all.Add(h);
            requests += stats.Responses(kind);
            ok += stats.Ok(kind);
            AddLatencyRow(latency, KindName(kind), h, stats.Responses(kind), stats.Ok(kind), seconds);
        }

        AddLatencyRow(latency, "all", all, requests, ok, seconds);
        long transportErrors = stats.TransportErrors.Values.Sum();
        var summary = new ReportSection("summary", "Summary",
            new("seconds", "seconds"), new("requests", "requests"), new("ok", "ok"), new("errors", "errors"),
            new("requests_per_second", "req/s"), new("ok_per_second", "ok/s"), new("reconnects", "reconnects"));
        summary.AddRow(
            ReportValue.Of(seconds, "0.00"), ReportValue.Of(requests), ReportValue.Of(ok), ReportValue.Of(requests - ok + transportErrors),
            ReportValue.Of(requests / seconds, "0"), ReportValue.Of(ok / seconds, "0"), ReportValue.Of(stats.Reconnects));
        report.Sections.Add(summary);
        report.Sections.Add(latency);

        var errors = new ReportSection("errors", "Errors", new("kind", "kind"), new("error", "status or error"), new("count", "count"));
        foreach (RequestKind kind in (RequestKind[])[RequestKind.Post, RequestKind.Get, RequestKind.Create])
        {
            long[] statuses = stats.Statuses[(int)kind];
            for (int status = 0; status < statuses.Length; status++)
            {
                if (statuses[status] > 0 && status != HttpLoadStats.ExpectedStatus(kind))
                {
                    errors.AddRow(ReportValue.Of(KindName(kind)), ReportValue.Of(status.ToString(CultureInfo.InvariantCulture)), ReportValue.Of(statuses[status]));
                }
            }
        }

        foreach ((string reason, long count) in stats.TransportErrors.OrderByDescending(e => e.Value))
        {
            errors.AddRow(ReportValue.Of("-"), ReportValue.Of(reason), ReportValue.Of(count));
        }

        if (errors.Rows.Count > 0)
        {
            report.Sections.Add(errors);
        }
    }

    public static string KindName(RequestKind kind) => kind switch
    {
        RequestKind.Post => "post",
        RequestKind.Get => "get",
        RequestKind.Create => "create",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static int Weight(RequestMix mix, RequestKind kind) => kind switch
    {
        RequestKind.Post => mix.Post,
        RequestKind.Get => mix.Get,
        _ => mix.Create,
    };

    private static void AddLatencyRow(ReportSection section, string kind, LatencyHistogram h, long requests, long ok, double seconds)
    {
        section.AddRow(
            ReportValue.Of(kind), ReportValue.Of(requests), ReportValue.Of(ok), ReportValue.Of(requests / seconds, "0"),
            Millis(h.Mean), Millis(h.GetValueAtPercentile(50)), Millis(h.GetValueAtPercentile(90)),
            Millis(h.GetValueAtPercentile(99)), Millis(h.GetValueAtPercentile(99.9)), Millis(h.Max));
    }

    private static ReportValue Millis(double nanoseconds) => ReportValue.Of(nanoseconds / 1e6, "0.000");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task<EndPoint> ResolveAsync(HttpBenchOptions options, CancellationToken cancellationToken)
    {
        if (options.Target is not DnsEndPoint dns)
        {
            return options.Target;
        }

        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(dns.Host, cancellationToken).ConfigureAwait(false);
            IPAddress address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? throw new BenchFailedException($"{dns.Host} has no address");
            return new IPEndPoint(address, dns.Port);
        }
        catch (SocketException e)
        {
            throw new BenchFailedException($"cannot resolve {dns.Host}: {e.Message}", e);
        }
    }

    /// <summary>Creates the run's chat threads and, if the mix reads pages, fills each with messages.</summary>
    private static async Task<IReadOnlyList<string>> PrepareThreadsAsync(HttpBenchOptions options, EndPoint target, CancellationToken cancellationToken)
    {
        byte[] create = RequestTemplates.CreateThreadRequest(options);
        int connections = Math.Min(SetupConnections, options.ChatThreads);
        var keys = new string[options.ChatThreads];
        await ForEachConnectionAsync(options, target, connections, async (connection, c) =>
        {
            var mine = Enumerable.Range(0, options.ChatThreads).Where(i => i % connections == c).ToArray();
            (int Status, byte[] Body)[] responses = await connection.SendAsync([.. mine.Select(_ => create)], cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < mine.Length; i++)
            {
                keys[mine[i]] = ReadThreadKey(responses[i].Status, responses[i].Body);
            }
        }, cancellationToken).ConfigureAwait(false);

        if (options.Mix.Get > 0 && options.SeedMessages > 0)
        {
            var templates = new RequestTemplates(options, keys);
            await ForEachConnectionAsync(options, target, connections, async (connection, c) =>
            {
                for (int t = c; t < keys.Length; t += connections)
                {
                    byte[] post = templates.Get(RequestKind.Post, t);
                    (int Status, byte[] Body)[] responses = await connection.SendAsync(
                        [.. Enumerable.Repeat(post, options.SeedMessages)], cancellationToken).ConfigureAwait(false);
                    foreach ((int status, byte[] body) in responses)
                    {
                        if (status != 201)
                        {
                            throw new BenchFailedException($"seeding messages: the server answered {status}: {Snippet(body)}");
                        }
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        return keys;
    }

    private static async Task ForEachConnectionAsync(
        HttpBenchOptions options, EndPoint target, int connections, Func<SetupConnection, int, Task> work, CancellationToken cancellationToken)
    {
        var tasks = new Task[connections];
        for (int c = 0; c < connections; c++)
        {
            int index = c;
            tasks[c] = Task.Run(async () =>
            {
                SetupConnection connection;
                try
                {
                    connection = await SetupConnection.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    throw new BenchFailedException($"cannot connect to {options.TargetDisplay}: {e.Message}", e);
                }

                using (connection)
                {
                    try
                    {
                        await work(connection, index).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        throw new BenchFailedException($"set-up requests to {options.TargetDisplay} failed: {e.Message}", e);
                    }
                }
            }, cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>The "key" of a create-thread response.</summary>
    internal static string ReadThreadKey(int status, byte[] body)
    {
        if (status != 201 && status != 200)
        {
            string hint = status is 401 or 403 ? " (check --api-key: it must be a backend key, or a frontend key with --signature)" : "";
            throw new BenchFailedException($"creating a thread: the server answered {status}: {Snippet(body)}{hint}");
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isKey = reader.ValueTextEquals("key"u8);
                    reader.Read();
                    if (isKey && reader.TokenType == JsonTokenType.String)
                    {
                        return reader.GetString()!;
                    }

                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
        }

        throw new BenchFailedException($"creating a thread: the response has no \"key\": {Snippet(body)}");
    }

    private static string Snippet(byte[] body)
    {
        string text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
        return text.Length == 0 ? "(empty body)" : text;
    }
}
