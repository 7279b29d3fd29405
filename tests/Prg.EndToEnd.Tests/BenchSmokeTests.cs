// `prg bench` as users run it: the AOT binary against a live `prg serve` (TCP and Unix socket) and a
// live `prg kms`, plus the in-process crypto mode. Short runs; checks exit codes, the report tables
// and the JSON, never speed.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace Prg.EndToEnd.Tests;

public sealed class BenchSmokeTests
{
    private const string RateLimitOff = "  rate_limit:\n    rps: 0\n";

    [Fact]
    public async Task BenchCryptoReportsFrameAndCeilingThroughputAsTableAndJson()
    {
        string dir = PrgProcess.NewDirectory();
        string json = Path.Combine(dir, "crypto.json");
        (int code, string stdout, string stderr) = await RunAsync(dir, "bench", "crypto", "--sizes", "64,1024", "--seconds", "0.2", "--json", json);

        Assert.True(code == 0, stderr);
        Assert.Contains("frame-encrypt", stdout);
        Assert.Contains("gcm-decrypt", stdout);
        Assert.Contains("Frame / bare AesGcm", stdout);
        using JsonDocument report = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        JsonElement rows = report.RootElement.GetProperty("sections").GetProperty("throughput");
        Assert.Equal(8, rows.GetArrayLength());
        Assert.All(rows.EnumerateArray(), r => Assert.True(r.GetProperty("ops_per_second").GetDouble() > 0));
        Assert.Equal(2, report.RootElement.GetProperty("sections").GetProperty("ratio").GetArrayLength());
    }

    [Fact]
    public async Task BenchHttpRunsAMixAgainstALiveServerWithoutErrors()
    {
        await using var prg = await PrgProcess.StartAsync(RateLimitOff);
        string json = Path.Combine(prg.WorkDir, "http.json");
        (int code, string stdout, string stderr) = await RunAsync(prg.WorkDir,
            "bench", "http", "--url", $"http://127.0.0.1:{prg.Port}", "--api-key", PrgProcess.BackendKey, "--seconds", "2",
            "--connections", "4", "--chat-threads", "2", "--seed-messages", "5", "--mix", "post=1,get=1,create=1", "--json", json);

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("Latency by request kind", stdout);
        Assert.DoesNotContain("Errors", stdout);
        Assert.Contains("http post=1,get=1,create=1", stderr); // plain progress lines when stderr is not a terminal
        using JsonDocument report = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        JsonElement sections = report.RootElement.GetProperty("sections");
        JsonElement summary = sections.GetProperty("summary")[0];
        Assert.Equal(0, summary.GetProperty("errors").GetInt64());
        Assert.True(summary.GetProperty("ok").GetInt64() > 0);
        foreach (JsonElement row in sections.GetProperty("latency").EnumerateArray())
        {
            Assert.True(row.GetProperty("ok").GetInt64() > 0, $"no successful {row.GetProperty("kind")} requests");
            Assert.Equal(row.GetProperty("requests").GetInt64(), row.GetProperty("ok").GetInt64());
        }
    }

    [Fact]
    public async Task BenchHttpRunsOverTheServersUnixSocketWithPipelining()
    {
        string dir = PrgProcess.NewDirectory();
        string socket = Path.Combine(dir, "prg.sock");
        await using var prg = await PrgProcess.StartAsync(RateLimitOff, workDir: dir, unixSocket: socket);
        (int code, string stdout, string stderr) = await RunAsync(dir,
            "bench", "http", "--unix", socket, "--api-key", PrgProcess.BackendKey, "--seconds", "1",
            "--connections", "2", "--pipeline", "4", "--mix", "post=1", "--quiet");

        Assert.True(code == 0, stderr + stdout);
        Assert.Equal("", stderr);
        string[] summary = stdout.Split('\n').SkipWhile(l => l != "Summary").Skip(2).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", summary[3]); // errors
        Assert.True(long.Parse(summary[2]) > 0); // ok
    }

    [Fact]
    public async Task BenchKmsMeasuresSingleAndBatchDecryptsAgainstALiveKeyService()
    {
        string dir = PrgProcess.NewDirectory();
        string socket = Path.Combine(dir, "kms.sock");
        string key = Path.Combine(dir, "master.key");
        Assert.Equal(0, (await RunAsync(dir, "keygen", "--out", key)).Code);
        using Process kms = PrgProcess.Start(["kms", "--master-key-file", key, "--socket", socket, "--data-dir", Path.Combine(dir, "kms-data")], dir, new Dictionary<string, string>());
        try
        {
            await WaitForSocketAsync(socket, kms);
            string json = Path.Combine(dir, "kms.json");
            (int code, string stdout, string stderr) = await RunAsync(dir,
                "bench", "kms", "--endpoint", "unix:" + socket, "--seconds", "0.5", "--batch", "10", "--concurrency", "2", "--json", json);

            Assert.True(code == 0, stderr + stdout);
            Assert.Contains("single", stdout);
            Assert.Contains("batch", stdout);
            using JsonDocument report = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            JsonElement rows = report.RootElement.GetProperty("sections").GetProperty("kms");
            Assert.Equal(["single", "batch"], rows.EnumerateArray().Select(r => r.GetProperty("phase").GetString()));
            foreach (JsonElement row in rows.EnumerateArray())
            {
                Assert.Equal(0, row.GetProperty("errors").GetInt64());
                Assert.True(row.GetProperty("items").GetInt64() > 0);
                Assert.True(row.GetProperty("p50_us").GetDouble() > 0);
            }

            JsonElement batch = rows[1];
            Assert.Equal(batch.GetProperty("calls").GetInt64() * 10, batch.GetProperty("items").GetInt64());
        }
        finally
        {
            kms.Kill();
            await kms.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("bench http --api-key k --connections 0", "prg: bench http: --connections '0' must be a whole number from 1 to 10000")]
    [InlineData("bench crypto --sizes 64,x", "prg: bench crypto: --sizes '64,x' must be a comma-separated list")]
    [InlineData("bench kms", "prg: bench kms: --endpoint is required")]
    [InlineData("bench gpu", "prg: bench: unknown mode 'gpu'")]
    [InlineData("bench http --api-key k --bogus 1", "prg: bench http: unknown option '--bogus'")]
    public async Task BadBenchUsageExitsTwoWithOneClearLine(string args, string expected)
    {
        string dir = PrgProcess.NewDirectory();
        (int code, string _, string stderr) = await RunAsync(dir, args.Split(' '));
        Assert.Equal(2, code);
        Assert.StartsWith(expected, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task BenchHttpAgainstNothingExitsOneSayingItCannotConnect()
    {
        string dir = PrgProcess.NewDirectory();
        int port = PrgProcess.FreePort();
        (int code, string _, string stderr) = await RunAsync(dir, "bench", "http", "--url", $"http://127.0.0.1:{port}", "--api-key", "k", "--seconds", "1");
        Assert.Equal(1, code);
        Assert.Contains($"prg: bench http: cannot connect to http://127.0.0.1:{port}", stderr);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string workDir, params string[] args)
    {
        using Process process = PrgProcess.Start(args, workDir, new Dictionary<string, string>());
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task WaitForSocketAsync(string path, Process owner)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (owner.HasExited)
            {
                throw new InvalidOperationException($"prg kms exited with {owner.ExitCode}: {await owner.StandardError.ReadToEndAsync()}");
            }

            if (File.Exists(path))
            {
                try
                {
                    using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await probe.ConnectAsync(new UnixDomainSocketEndPoint(path));
                    return;
                }
                catch (SocketException)
                {
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("prg kms did not open its socket");
    }
}
