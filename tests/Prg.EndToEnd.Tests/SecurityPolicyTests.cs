// CORS, preflight, per-key rate limiting and the IP allow-list (spec/api.md §2) as a client sees them.
namespace Prg.EndToEnd.Tests;

public sealed class SecurityPolicyTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private const string AllowMethods = "GET,POST,PUT,DELETE,PATCH,OPTIONS";
    private const string AllowHeaders = "Authorization,Content-Type,X-API-Key,X-User-ID,X-User-Signature";
    private static readonly string[] CorsHeaders =
        ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"];

    private static async Task<RawResponse> RawAsync(int port, string request)
    {
        using var client = new RawClient(port);
        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: t\r\nOrigin: {0}\r\n\r\n", 200)]
    [InlineData("GET /v1/threads HTTP/1.1\r\nHost: t\r\nOrigin: {0}\r\nAuthorization: Bearer " + PrgProcess.BackendKey + "\r\nX-User-ID: cors\r\n\r\n", 200)]
    [InlineData("GET /v1/threads HTTP/1.1\r\nHost: t\r\nOrigin: {0}\r\n\r\n", 401)]
    [InlineData("GET /nowhere HTTP/1.1\r\nHost: t\r\nOrigin: {0}\r\n\r\n", 404)]
    public async Task AnAllowedOriginIsEchoedWithVaryAndTheAllowHeaders(string template, int status)
    {
        var response = await RawAsync(fixture.Prg.Port, string.Format(template, PrgFixture.AllowedOrigin));
        Assert.Equal(status, response.Status);
        Assert.Equal(PrgFixture.AllowedOrigin, response.Headers["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", response.Headers["Vary"]);
        Assert.Equal(AllowMethods, response.Headers["Access-Control-Allow-Methods"]);
        Assert.Equal(AllowHeaders, response.Headers["Access-Control-Allow-Headers"]);
        Assert.Equal("600", response.Headers["Access-Control-Max-Age"]);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://app.example.evil")]
    [InlineData("http://app.example")]
    [InlineData("null")]
    public async Task ADisallowedOriginGetsNoCorsHeaders(string origin)
    {
        foreach (var request in new[]
        {
            $"GET /healthz HTTP/1.1\r\nHost: t\r\nOrigin: {origin}\r\n\r\n",
            $"OPTIONS /v1/threads HTTP/1.1\r\nHost: t\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: POST\r\n\r\n",
        })
        {
            var response = await RawAsync(fixture.Prg.Port, request);
            Assert.True(response.Status is 200 or 204);
            foreach (var header in CorsHeaders)
            {
                Assert.False(response.Headers.ContainsKey(header), $"{header} sent to {origin}");
            }
        }
        var plain = await RawAsync(fixture.Prg.Port, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.DoesNotContain("Access-Control-Allow-Origin", plain.Headers.Keys);
    }

    [Theory]
    [InlineData("/v1/threads")]
    [InlineData("/frontend/v1/threads/abc/messages/def")]
    [InlineData("/admin/stats")]
    [InlineData("/backend/v1/sign")]
    public async Task PreflightIs204WithoutAKey(string path)
    {
        var response = await RawAsync(fixture.Prg.Port,
            $"OPTIONS {path} HTTP/1.1\r\nHost: t\r\nOrigin: {PrgFixture.AllowedOrigin}\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-user-id,x-user-signature,content-type\r\n\r\n");
        Assert.Equal(204, response.Status);
        Assert.Equal(PrgFixture.AllowedOrigin, response.Headers["Access-Control-Allow-Origin"]);
        Assert.Equal(AllowMethods, response.Headers["Access-Control-Allow-Methods"]);
        Assert.Equal(AllowHeaders, response.Headers["Access-Control-Allow-Headers"]);
        Assert.Equal("Origin", response.Headers["Vary"]);
        Assert.Equal("", response.Body);
    }

    [Fact]
    public async Task AWildcardOriginListAllowsAnyOrigin()
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: "  cors:\n    allowed_origins: [\"*\"]\n");
        var response = await RawAsync(prg.Port, "GET /healthz HTTP/1.1\r\nHost: t\r\nOrigin: https://anything.example\r\n\r\n");
        Assert.Equal("https://anything.example", response.Headers["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", response.Headers["Vary"]);
    }

    [Fact]
    public async Task RequestsOverTheRateAre429WithRetryAfterPerKey()
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: "  rate_limit:\n    rps: 1\n    burst: 3\n");
        using var api = new ApiClient(prg.Port);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/v1/threads", user: "rl")).Status);
        }
        var (status, json, raw) = await api.SendAsync(HttpMethod.Get, "/v1/threads", user: "rl");
        Assert.Equal(429, status);
        Assert.Equal("rate limit exceeded", json!["error"]!.GetValue<string>());
        var retryAfter = int.Parse(raw.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 2);

        // Another key has its own bucket, and public routes are not limited.
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey)).Status);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/healthz", key: null)).Status);
        }
        // A refused request did not write anything.
        (status, _, _) = await api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"x"}""", user: "rl");
        Assert.Equal(429, status);
        var stats = await api.StatsAsync();
        Assert.Equal(0, stats["threads"]!.GetValue<int>());
    }

    [Fact]
    public async Task TheDefaultRateLimitIsReallyApplied()
    {
        // Defaults are 1000 rps with a burst of 1000: a quick burst well beyond that is refused in part.
        await using var prg = await PrgProcess.StartAsync(defaultRateLimit: true);
        using var client = new RawClient(prg.Port);
        // Pipelined on one connection; answering 5000 requests would have to take over 4 s for the refill
        // alone to cover them.
        const int sent = 5000;
        var request = $"GET /v1/threads HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\nX-User-ID: burst\r\n\r\n";
        var writing = client.WriteAsync(string.Concat(Enumerable.Repeat(request, sent)));
        var limited = 0;
        for (var i = 0; i < sent; i++)
        {
            var response = await client.ReadResponseAsync();
            if (response.Status == 429)
            {
                limited++;
                Assert.Contains("rate limit exceeded", response.Body);
                Assert.True(response.Headers.ContainsKey("Retry-After"));
            }
            else
            {
                Assert.Equal(200, response.Status);
            }
        }
        await writing;
        Assert.InRange(limited, 1, sent - 1000);
    }

    [Fact]
    public async Task AnAllowListWithoutTheClientRefusesEveryRoute()
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: "  ip_whitelist: [\"10.0.0.0/8\", \"192.168.1.7\", \"::2\"]\n", waitReady: false);
        await WaitListeningAsync(prg);
        using var api = new ApiClient(prg.Port);
        foreach (var (method, path, key) in new[]
        {
            (HttpMethod.Get, "/healthz", (string?)null),
            (HttpMethod.Get, "/readyz", null),
            (HttpMethod.Get, "/v1/threads", PrgProcess.BackendKey),
            (HttpMethod.Post, "/v1/threads", PrgProcess.BackendKey),
            (HttpMethod.Get, "/admin/stats", PrgProcess.AdminKey),
            (HttpMethod.Get, "/metrics", PrgProcess.AdminKey),
            (HttpMethod.Post, "/backend/v1/sign", PrgProcess.BackendKey),
            (HttpMethod.Options, "/v1/threads", null),
            (HttpMethod.Get, "/nowhere", null),
        })
        {
            var (status, json, _) = await api.SendAsync(method, path, method == HttpMethod.Post ? """{"title":"x","userId":"a"}""" : null, key, "ip");
            Assert.True(status == 403, $"{method} {path}: {status}");
            Assert.Equal("forbidden", json!["error"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("[\"127.0.0.0/8\"]")]
    [InlineData("[\"10.0.0.0/8\", \"127.0.0.1\"]")]
    [InlineData("\"192.168.0.0/16, 127.0.0.1/32\"")]
    [InlineData("[\"::ffff:127.0.0.0/104\"]")]
    public async Task AnAllowListContainingTheClientLetsItIn(string list)
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: $"  ip_whitelist: {list}\n");
        using var api = new ApiClient(prg.Port);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/healthz", key: null)).Status);
        Assert.Equal(201, (await api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"x"}""", user: "ip")).Status);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey)).Status);
    }

    /// <summary>Readiness cannot be polled through an allow-list that refuses us: wait for the port instead.</summary>
    private static async Task WaitListeningAsync(PrgProcess prg)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(prg.HasExited, prg.Output);
            try
            {
                using var client = new RawClient(prg.Port);
                var response = await client.SendAsync("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n");
                if (response.Status == 403)
                {
                    return;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("prg did not start: " + prg.Output);
    }
}
