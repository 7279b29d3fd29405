// The HTTP transport against unfriendly clients (issue 10): clients that pipeline large pages and
// never read, that connect and say nothing, that open many connections from one address; plus the
// absolute-form target, `Expect: 100-continue` before authentication and the API socket's mode.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Prg.EndToEnd.Tests;

public sealed class TransportRobustnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SilentConnectionGets408AfterTheHeaderTimeoutNotTheIdleTimeout()
    {
        await using var prg = await PrgProcess.StartAsync("  header_timeout: 1s\n  idle_timeout: 120s\n");
        using var silent = new RawClient(prg.Port) { ReadTimeout = TimeSpan.FromSeconds(15) };
        var response = await silent.ReadResponseAsync();
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.True(await silent.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));

        // A head that stalls half-way gets the same answer.
        using var stalled = new RawClient(prg.Port) { ReadTimeout = TimeSpan.FromSeconds(15) };
        await stalled.WriteAsync("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ");
        Assert.Equal(408, (await stalled.ReadResponseAsync()).Status);

        var metrics = await MetricsAsync(prg.Port);
        Assert.True(Counter(metrics, "prg_http_connections_closed_total{reason=\"request_timeout\"}") >= 2, metrics);
    }

    [Fact]
    public async Task PerIpCapRefusesTheNextConnectionWith503AndSparesUnixSocketPeers()
    {
        var dir = PrgProcess.NewDirectory();
        var socket = Path.Combine(dir, "api.sock");
        await using var prg = await PrgProcess.StartAsync("  max_connections_per_ip: 2\n", workDir: dir, unixSocket: socket);
        using var first = await AdmittedClientAsync(prg.Port);
        using var second = await AdmittedClientAsync(prg.Port);

        using var third = new RawClient(prg.Port);
        var refused = await third.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(503, refused.Status);
        Assert.Contains("too many connections from this address", refused.Body);

        using var local = new RawClient(socket);
        Assert.Equal(200, (await local.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")).Status);

        first.Dispose();
        using var next = await AdmittedClientAsync(prg.Port); // waits until the server has seen the close
        Assert.Equal(200, (await next.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")).Status);
    }

    [Fact]
    public async Task ClientsThatDoNotReadAreDisconnectedAndFreeTheirSlots()
    {
        await using var prg = await PrgProcess.StartAsync(
            "  max_connections: 2\n  write_timeout: 1s\n  min_response_data_rate: 16KB\n");
        var page = await CreateLargePageAsync(prg.Port, messages: 20, bodyBytes: 90_000);

        var stuck = new List<Socket>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                stuck.Add(await PipelineWithoutReadingAsync(prg.Port, page, requests: 20));
            }
            // Both slots are held by clients that never read; the third gets in once they are dropped.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, "a third client was kept out: non-reading clients were never disconnected");
                using var third = new RawClient(prg.Port);
                var response = await third.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                if (response.Status == 200)
                {
                    break;
                }
                Assert.Equal(503, response.Status);
                await Task.Delay(200);
            }
            // One dropped client already lets the third in; both are dropped by the server in the end
            // (the sockets stay open until then: a client closing its side would end it another way).
            var counted = DateTime.UtcNow.AddSeconds(60);
            string metrics;
            while (Counter(metrics = await MetricsAsync(prg.Port, busyIsEmpty: true), "prg_http_connections_closed_total{reason=\"write_timeout\"}") < 2)
            {
                Assert.True(DateTime.UtcNow < counted, metrics);
                await Task.Delay(200);
            }
        }
        finally
        {
            stuck.ForEach(s => s.Dispose());
        }
    }

    // The bound: each of the 100 connections holds at most the one page it is answering (~9.3 MB
    // here, in a buffer of up to 1.5 times that: 1.4 GB at most) while its client does not read;
    // further pipelined requests wait. The rest of the bound is garbage from building the pages
    // (95 KB bodies live on the large-object heap until a full collection). Before backpressure every
    // pipelined page was built and buffered (10 requests x 100 clients x 9.3 MB, twice: ~18 GB).
    private const long MemoryBoundBytes = 3L << 30;

    [Fact]
    public async Task HundredNonReadingClientsPipeliningTheLargestPageKeepRssBounded()
    {
        // write_timeout long enough that nobody is dropped during the test: the bound comes from
        // backpressure alone. The page: 100 messages just under the 100 KB body limit, limit=100.
        await using var prg = await PrgProcess.StartAsync("  write_timeout: 600s\n  min_response_data_rate: 0\n");
        var page = await CreateLargePageAsync(prg.Port, messages: 100, bodyBytes: 95_000);
        var baseline = RssBytes(prg.Pid);

        var clients = new List<Socket>();
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !prg.HasExited)
            {
                peak = Math.Max(peak, RssBytes(prg.Pid));
                await Task.Delay(100);
            }
        });
        try
        {
            for (var i = 0; i < 100 && peak - baseline < MemoryBoundBytes; i++)
            {
                clients.Add(await PipelineWithoutReadingAsync(prg.Port, page, requests: 10));
            }
            // Let the server run until it is stuck on every client (RSS stops growing).
            var seen = 0L;
            var stableSince = DateTime.UtcNow;
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < deadline && DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(5) && peak - baseline < MemoryBoundBytes)
            {
                if (peak > seen + (16 << 20))
                {
                    seen = peak;
                    stableSince = DateTime.UtcNow;
                }
                await Task.Delay(250);
            }
            Assert.True(peak - baseline < MemoryBoundBytes,
                $"RSS grew by {(peak - baseline) >> 20} MB with non-reading clients (bound {MemoryBoundBytes >> 20} MB)");
            output.WriteLine($"RSS {baseline >> 20} MB before, peak {peak >> 20} MB with 100 non-reading clients");
            // Backpressure itself: a client that does not read gets its first page built, not all ten.
            var pagesBuilt = Counter(await MetricsAsync(prg.Port), "prg_http_requests_total{route=\"GET /v1/threads/{t}/messages\",status=\"2xx\"}");
            output.WriteLine($"{pagesBuilt} pages built for 100 clients x 10 pipelined requests");
            Assert.InRange(pagesBuilt, 100, 200);

            // The server still answers others while the 100 are stuck.
            using var other = new RawClient(prg.Port);
            Assert.Equal(200, (await other.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")).Status);
        }
        finally
        {
            stop.Cancel();
            await watcher;
            clients.ForEach(c => c.Dispose());
        }

        // Once they are gone the pages they held are garbage: a client that keeps reading pages (and
        // so keeps the collector running) sees RSS come back near where it started.
        using var reader = new RawClient(prg.Port) { ReadTimeout = TimeSpan.FromSeconds(60) };
        var returnedBy = DateTime.UtcNow.AddSeconds(90);
        long rssAfter;
        while ((rssAfter = RssBytes(prg.Pid)) - baseline >= ReturnedBoundBytes)
        {
            Assert.True(DateTime.UtcNow < returnedBy,
                $"RSS still {(rssAfter - baseline) >> 20} MB above the start after the clients left (bound {ReturnedBoundBytes >> 20} MB)");
            Assert.Equal(200, (await reader.SendAsync(page)).Status);
        }
        output.WriteLine($"RSS {rssAfter >> 20} MB after the clients left");
    }

    // What may stay after the clients leave: less than the pages they held (1.4 GB at most), and
    // going down; before, their buffers stayed pooled (the issue measured 10.5 GB after they left).
    private const long ReturnedBoundBytes = 1L << 30;

    [Fact]
    public async Task ExpectContinueWithoutCredentialsGets401InsteadOf100()
    {
        await using var prg = await PrgProcess.StartAsync();
        var body = """{"title":"t"}""";
        string Head(string auth) =>
            $"POST /v1/threads HTTP/1.1\r\nHost: t\r\n{auth}Content-Type: application/json\r\nContent-Length: {body.Length}\r\nX-User-ID: alice\r\nExpect: 100-continue\r\n\r\n";

        Assert.StartsWith("HTTP/1.1 401", await FirstHeadAsync(prg.Port, Head("")));
        // A frontend key without the user's signature is refused from the head too.
        Assert.StartsWith("HTTP/1.1 401", await FirstHeadAsync(prg.Port, Head($"Authorization: Bearer {PrgProcess.FrontendKey}\r\n")));
        // An admin key on a user route: 403, still without the 100.
        Assert.StartsWith("HTTP/1.1 403", await FirstHeadAsync(prg.Port, Head($"Authorization: Bearer {PrgProcess.AdminKey}\r\n")));

        using var backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await backend.ConnectAsync(IPAddress.Loopback, prg.Port);
        await backend.SendAsync(Encoding.ASCII.GetBytes(Head($"Authorization: Bearer {PrgProcess.BackendKey}\r\n")));
        Assert.StartsWith("HTTP/1.1 100", await ReadHeadAsync(backend));
        await backend.SendAsync(Encoding.ASCII.GetBytes(body));
        Assert.StartsWith("HTTP/1.1 201", await ReadHeadAsync(backend));
    }

    /// <summary>Sends <paramref name="head"/> alone and returns the first response head, interim ones included.</summary>
    private static async Task<string> FirstHeadAsync(int port, string head)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        return await ReadHeadAsync(socket);
    }

    [Fact]
    public async Task AbsoluteFormTargetsAreRoutedByTheirPath()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var client = new RawClient(prg.Port);
        var health = await client.SendAsync("GET http://prg.example:8080/healthz HTTP/1.1\r\nHost: somewhere-else\r\n\r\n");
        Assert.Equal(200, health.Status);
        var threads = await client.SendAsync($"GET http://prg.example/v1/threads?limit=5 HTTP/1.1\r\nHost: prg.example\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\nX-User-ID: alice\r\n\r\n");
        Assert.Equal(200, threads.Status);
        var noHost = await client.SendAsync("GET http://prg.example/healthz HTTP/1.1\r\n\r\n");
        Assert.Equal(400, noHost.Status);
    }

    [Fact]
    public async Task ApiUnixSocketGetsItsConfiguredMode()
    {
        var dir = PrgProcess.NewDirectory();
        var socket = Path.Combine(dir, "api.sock");
        await using (var prg = await PrgProcess.StartAsync(workDir: dir, unixSocket: socket))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
                File.GetUnixFileMode(socket));
        }
        var dir2 = PrgProcess.NewDirectory();
        var socket2 = Path.Combine(dir2, "api.sock");
        await using var strict = await PrgProcess.StartAsync("  unix_socket_mode: \"0600\"\n", workDir: dir2, unixSocket: socket2);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket2));
        using var client = new RawClient(socket2);
        Assert.Equal(200, (await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")).Status);
    }

    /// <summary>Posts <paramref name="messages"/> bodies of about <paramref name="bodyBytes"/> and returns the request for the page of all of them.</summary>
    private static async Task<string> CreateLargePageAsync(int port, int messages, int bodyBytes)
    {
        using var api = new ApiClient(port);
        var thread = await api.CreateThreadAsync("alice", "large");
        var text = new string('x', bodyBytes);
        for (var i = 0; i < messages; i++)
        {
            await api.PostMessageAsync("alice", thread, new JsonObject { ["text"] = text });
        }
        return $"GET /v1/threads/{thread}/messages?limit={messages} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\nX-User-ID: alice\r\n\r\n";
    }

    /// <summary>
    /// A client that is let in (answered 200 on /healthz), then sends <paramref name="requests"/>
    /// pipelined copies of <paramref name="request"/> and never reads again. A small receive buffer
    /// keeps the kernel from soaking up the responses.
    /// </summary>
    private static async Task<Socket> PipelineWithoutReadingAsync(int port, string request, int requests)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(IPAddress.Loopback, port);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
            var head = await ReadHeadAsync(socket);
            if (head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                // The /healthz body is small; read it so that only the pipelined pages stay unread.
                var length = int.Parse(head.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(), CultureInfo.InvariantCulture);
                var body = new byte[length];
                for (var read = 0; read < length;)
                {
                    read += await socket.ReceiveAsync(body.AsMemory(read));
                }
                await socket.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(request, requests))));
                return socket;
            }
            socket.Dispose();
            Assert.True(DateTime.UtcNow < deadline, "the server kept refusing a connection: " + head);
            await Task.Delay(50);
        }
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await socket.ReceiveAsync(one, timeout.Token) == 0)
            {
                break;
            }
            head.Add(one[0]);
        }
        return Encoding.ASCII.GetString(head.ToArray());
    }

    private static async Task<RawClient> AdmittedClientAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var client = new RawClient(port);
            var response = await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
            if (response.Status == 200)
            {
                return client;
            }
            client.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"connection still refused: {response.Status}");
            await Task.Delay(50);
        }
    }

    // busyIsEmpty: with max_connections 2 and a client still held, the server may be full (503).
    private static async Task<string> MetricsAsync(int port, bool busyIsEmpty = false)
    {
        using var client = new RawClient(port);
        var response = await client.SendAsync($"GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.AdminKey}\r\n\r\n");
        if (busyIsEmpty && response.Status == 503)
        {
            return "";
        }
        Assert.Equal(200, response.Status);
        return response.Body;
    }

    private static long Counter(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
