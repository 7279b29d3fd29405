// The HTTP/1.1 server as a client sees it, over real TCP and Unix sockets against the AOT binary:
// keep-alive, pipelining, limits, timeouts, graceful shutdown.
using System.Text;

namespace Prg.EndToEnd.Tests;

public sealed class HttpWireTests
{
    private const string Health = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

    [Fact]
    public async Task HealthAndReadinessAnswerOnTcpAndUnixSocket()
    {
        var work = PrgProcess.NewDirectory();
        var socketPath = Path.Combine(work, "prg.sock");
        await using var prg = await PrgProcess.StartAsync(workDir: work, unixSocket: socketPath);
        foreach (var client in new[] { new RawClient(prg.Port), new RawClient(socketPath) })
        {
            using (client)
            {
                var health = await client.SendAsync(Health);
                Assert.Equal(200, health.Status);
                Assert.Equal("""{"status":"ok"}""", health.Body);
                Assert.Equal("application/json", health.Headers["Content-Type"]);
                var ready = await client.SendAsync("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n");
                Assert.Equal(200, ready.Status);
                Assert.Matches("""^\{"status":"ok","version":"[0-9.]+"\}$""", ready.Body);
            }
        }
    }

    [Fact]
    public async Task KeepAliveReusesOneConnectionAndPipelinedRequestsAnswerInOrder()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var client = new RawClient(prg.Port);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await client.SendAsync(Health)).Status);
        }
        var batch = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            batch.Append(i % 2 == 0 ? Health : "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
        }
        await client.WriteAsync(batch.ToString());
        for (var i = 0; i < 100; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(i % 2 == 0 ? 200 : 404, response.Status);
        }
    }

    [Fact]
    public async Task OversizedRequestsGetTheirStatusAndTheConnectionCloses()
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: "  max_payload_size: 1KB\n");
        using (var client = new RawClient(prg.Port))
        {
            var response = await client.SendAsync("POST /v1/threads HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n");
            Assert.Equal(413, response.Status);
            Assert.Equal("close", response.Headers["Connection"]);
            Assert.Contains("\"error\"", response.Body);
            Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        }
        using (var client = new RawClient(prg.Port))
        {
            var response = await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + new string('a', 40_000) + "\r\n\r\n");
            Assert.Equal(431, response.Status);
        }
        using (var client = new RawClient(prg.Port))
        {
            var response = await client.SendAsync("GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
            Assert.Equal(414, response.Status);
        }
    }

    [Theory]
    [InlineData("POST /v1/threads HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("POST /v1/threads HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde")]
    [InlineData("POST /v1/threads HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\nHost: t\n\n")]
    public async Task SmugglingVectorsAreRejectedAndTheConnectionCloses(string request)
    {
        await using var prg = await PrgProcess.StartAsync();
        using var client = new RawClient(prg.Port);
        var response = await client.SendAsync(request);
        Assert.Equal(400, response.Status);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task VersionOtherThanHttp1Is505AndUnknownMethodOnKnownPathIs405WithAllow()
    {
        await using var prg = await PrgProcess.StartAsync();
        using (var client = new RawClient(prg.Port))
        {
            Assert.Equal(505, (await client.SendAsync("GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n")).Status);
        }
        using (var client = new RawClient(prg.Port))
        {
            var response = await client.SendAsync("DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
            Assert.Equal(405, response.Status);
            Assert.Equal("GET, HEAD", response.Headers["Allow"]);
        }
    }

    [Fact]
    public async Task ChunkedBodiesAreAccepted()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var client = new RawClient(prg.Port);
        const string body = """{"userId":"alice"}""";
        var response = await client.SendAsync(
            $"POST /backend/v1/sign HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\nTransfer-Encoding: chunked\r\n\r\n"
            + $"5;ext=1\r\n{body[..5]}\r\n{body.Length - 5:x}\r\n{body[5..]}\r\n0\r\nTrailer: x\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.Contains("\"signature\"", response.Body);
    }

    [Fact]
    public async Task SlowDripHeadersAreCutOffByTheRequestTimeout()
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: "  header_timeout: 1s\n");
        using var client = new RawClient(prg.Port);
        var started = DateTime.UtcNow;
        var cut = false;
        foreach (var b in Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
        {
            try
            {
                await client.WriteAsync([b]);
            }
            catch (IOException)
            {
                cut = true;
                break;
            }
            await Task.Delay(100);
            if (DateTime.UtcNow - started > TimeSpan.FromSeconds(8))
            {
                break;
            }
        }
        Assert.True(cut || await client.IsClosedByServerAsync(TimeSpan.FromSeconds(3)), "server kept a slow-drip connection open");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task SigtermCompletesTheRequestInFlightAndExitsZero()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var idle = new RawClient(prg.Port);
        Assert.Equal(200, (await idle.SendAsync(Health)).Status);
        using var client = new RawClient(prg.Port);
        const string body = """{"userId":"bob"}""";
        // The head is in, the body is still on its way when the signal arrives.
        await client.WriteAsync($"POST /backend/v1/sign HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\nContent-Length: {body.Length}\r\n\r\n{body[..4]}");
        await Task.Delay(300);
        prg.Signal("TERM");
        await Task.Delay(300);
        await client.WriteAsync(body[4..]);
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(2)));
    }
}
