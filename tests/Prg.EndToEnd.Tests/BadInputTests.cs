// Bad input on the write routes: invalid JSON, wrong types, missing and empty fields, invalid UTF-8 in
// body, header and path, over-long and control-character user ids, keys of another thread. Each is a
// clear 4xx with a JSON error, and nothing is stored (admin stats and listings are unchanged).
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class BadInputTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private ApiClient Api => fixture.Api;

    private Task<(long Threads, long Messages)> StatsAsync() => Api.CountsAsync();

    /// <summary>Sends raw bytes (so invalid UTF-8 reaches the server as is) and returns status and error.</summary>
    private async Task<(int Status, string Error)> SendRawAsync(string method, byte[] path, byte[]? userId, byte[]? body)
    {
        using var client = new RawClient(fixture.Prg.Port);
        var head = new List<byte>();
        head.AddRange(Encoding.ASCII.GetBytes(method + " "));
        head.AddRange(path);
        head.AddRange(Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\n"));
        if (userId is not null)
        {
            head.AddRange("X-User-ID: "u8.ToArray());
            head.AddRange(userId);
            head.AddRange("\r\n"u8.ToArray());
        }
        if (body is not null)
        {
            head.AddRange(Encoding.ASCII.GetBytes($"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n"));
        }
        head.AddRange("\r\n"u8.ToArray());
        if (body is not null)
        {
            head.AddRange(body);
        }
        await client.WriteAsync(head.ToArray());
        var response = await client.ReadResponseAsync();
        var error = response.Body.Length > 0 && response.Headers.TryGetValue("Content-Type", out var type) && type == "application/json"
            ? JsonNode.Parse(response.Body)!["error"]?.GetValue<string>() ?? ""
            : "";
        return (response.Status, error);
    }

    public static TheoryData<string, string> InvalidThreadBodies => new()
    {
        { "{not json", "invalid JSON" },
        { """{"title":"a",}""", "invalid JSON" },
        { """{"title":"a" """, "invalid JSON" },
        { "", "invalid JSON: empty body" },
        { "[1,2]", "invalid JSON: expected an object" },
        { "\"General\"", "invalid JSON: expected an object" },
        { "null", "invalid JSON: expected an object" },
        { "{}", "validation errors: title: cannot be empty" },
        { """{"title":""}""", "validation errors: title: cannot be empty" },
        { """{"title":"   "}""", "validation errors: title: cannot be empty" },
        { """{"title":null}""", "validation errors: title: cannot be empty" },
        { """{"title":5}""", "validation errors: title: must be a string" },
        { """{"title":true}""", "validation errors: title: must be a string" },
        { """{"title":["a"]}""", "validation errors: title: must be a string" },
        { """{"title":{"text":"a"}}""", "validation errors: title: must be a string" },
        { """{"name":"a"}""", "validation errors: title: cannot be empty" },
        { new string('[', 100) + new string(']', 100), "invalid JSON" },
        { """{"title":"a\ud800"}""", "invalid JSON: the string at line 1, column 10 is not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(InvalidThreadBodies))]
    public async Task InvalidThreadBodiesAre400AndStoreNothing(string body, string errorPrefix)
    {
        var user = PrgFixture.NewUser("bad");
        var before = await StatsAsync();
        foreach (var prefix in new[] { "/v1", "/frontend/v1" })
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Post, prefix + "/threads", body, user: user);
            Assert.Equal(400, status);
            Assert.StartsWith(errorPrefix, json!["error"]!.GetValue<string>());
        }
        var thread = await Api.CreateThreadAsync(user, "existing");
        var (putStatus, putJson, _) = await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}", body, user: user);
        Assert.Equal(400, putStatus);
        Assert.StartsWith(errorPrefix, putJson!["error"]!.GetValue<string>());
        Assert.Equal("existing", (await Api.GetOkAsync($"/v1/threads/{thread}", user))["thread"]!["title"]!.GetValue<string>());
        Assert.Equal([thread], ApiClient.KeysOf((await Api.GetOkAsync("/v1/threads", user))["threads"]));
        Assert.Equal((before.Threads + 1, before.Messages), await StatsAsync());
    }

    public static TheoryData<string, string> InvalidMessageBodies => new()
    {
        { "{not json", "invalid JSON" },
        { "", "invalid JSON: empty body" },
        { "[]", "invalid JSON: expected an object" },
        { "{}", "validation errors: body: cannot be empty" },
        { """{"body":null}""", "validation errors: body: cannot be empty" },
        { """{"text":"hi"}""", "validation errors: body: cannot be empty" },
        { """{"body":{"a":1}""", "invalid JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidMessageBodies))]
    public async Task InvalidMessageBodiesAre400AndStoreNothing(string body, string errorPrefix)
    {
        var user = PrgFixture.NewUser("bad");
        var thread = await Api.CreateThreadAsync(user, "t");
        var message = await Api.PostMessageAsync(user, thread, JsonValue.Create("original")!);
        var before = await StatsAsync();

        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", body, user: user);
        Assert.Equal(400, status);
        Assert.StartsWith(errorPrefix, json!["error"]!.GetValue<string>());
        (status, json, _) = await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", body, user: user);
        Assert.Equal(400, status);
        Assert.StartsWith(errorPrefix, json!["error"]!.GetValue<string>());

        var list = await Api.GetOkAsync($"/v1/threads/{thread}/messages", user);
        Assert.Equal([message], ApiClient.KeysOf(list["messages"]));
        Assert.Equal("original", list["messages"]![0]!["body"]!.GetValue<string>());
        Assert.Equal(1, list["messages"]![0]!["version"]!.GetValue<int>());
        Assert.Single((await Api.GetOkAsync($"/v1/threads/{thread}/messages/{message}/versions", user))["versions"]!.AsArray());
        Assert.Equal(before, await StatsAsync());
    }

    [Fact]
    public async Task InvalidUtf8InBodyHeaderAndPathIsAClear400()
    {
        var user = PrgFixture.NewUser("utf");
        var thread = await Api.CreateThreadAsync(user, "t");
        var before = await StatsAsync();
        var userBytes = Encoding.UTF8.GetBytes(user);

        var (status, error) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), userBytes, [.. "{\"title\":\"a"u8, 0xFF, 0xFE, .. "\"}"u8]);
        Assert.Equal(400, status);
        Assert.Equal("invalid JSON: body is not valid UTF-8", error);

        (status, error) = await SendRawAsync("POST", Encoding.ASCII.GetBytes($"/v1/threads/{thread}/messages"), userBytes, [.. "{\"body\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        Assert.Equal(400, status);
        Assert.StartsWith("invalid JSON", error);

        (status, error) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), [(byte)'a', 0xC3, 0x28, (byte)'b'], """{"title":"x"}"""u8.ToArray());
        Assert.Equal(400, status);
        Assert.Equal("invalid user id: user id must be valid UTF-8", error);

        (status, error) = await SendRawAsync("GET", "/v1/threads?author=a%C3%28b"u8.ToArray(), null, null);
        Assert.Equal(400, status);
        Assert.Equal("invalid user id: user id must be valid UTF-8", error);

        (status, error) = await SendRawAsync("GET", Encoding.ASCII.GetBytes($"/v1/threads/{thread}/messages?before=%FF"), userBytes, null);
        Assert.Equal(400, status);
        Assert.Equal("invalid pagination: before is not valid percent-encoded UTF-8", error);

        (status, error) = await SendRawAsync("GET", Encoding.ASCII.GetBytes($"/v1/threads/{thread}%FF"), userBytes, null);
        Assert.Equal(400, status);
        Assert.Equal("invalid path encoding", error);

        (status, _) = await SendRawAsync("GET", [.. "/v1/threads/"u8, 0xFF, 0xFE], userBytes, null);
        Assert.InRange(status, 400, 404);

        Assert.Equal(before, await StatsAsync());
        Assert.Equal([thread], ApiClient.KeysOf((await Api.GetOkAsync("/v1/threads", user))["threads"]));
    }

    [Fact]
    public async Task UserIdsAreOneTo128BytesWithoutControlCharacters()
    {
        var before = await StatsAsync();
        var longest = "u" + new string('x', 127);
        Assert.Equal(128, Encoding.UTF8.GetByteCount(longest));
        var thread = await Api.CreateThreadAsync(longest, "longest id");
        Assert.Equal(longest, (await Api.GetOkAsync($"/v1/threads/{thread}", longest))["thread"]!["author"]!.GetValue<string>());

        var tooLong = longest + "y";
        var (status, error) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), Encoding.UTF8.GetBytes(tooLong), """{"title":"x"}"""u8.ToArray());
        Assert.Equal(400, status);
        Assert.Equal("invalid user id: user id must be at most 128 bytes", error);
        // Bytes, not characters: 64 two-byte characters are 128 bytes, one more is too long.
        var multibyte = new string('é', 64);
        (status, _) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), Encoding.UTF8.GetBytes(multibyte), """{"title":"x"}"""u8.ToArray());
        Assert.Equal(201, status);
        (status, error) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), Encoding.UTF8.GetBytes(multibyte + "e"), """{"title":"x"}"""u8.ToArray());
        Assert.Equal(400, status);
        Assert.Equal("invalid user id: user id must be at most 128 bytes", error);
        var (queryStatus, json, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads?author={Uri.EscapeDataString(tooLong)}", """{"title":"x"}""");
        Assert.Equal(400, queryStatus);
        Assert.Equal("invalid user id: user id must be at most 128 bytes", json!["error"]!.GetValue<string>());

        foreach (var control in new byte[] { 0x01, 0x1B, 0x7F })
        {
            // The HTTP parser already refuses control characters in any header value.
            (status, error) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), [(byte)'a', control, (byte)'b'], """{"title":"x"}"""u8.ToArray());
            Assert.Equal(400, status);
            Assert.Contains(error, new[] { "malformed header", "invalid user id: user id must not contain control characters" });
        }
        // C1 controls (U+0080..U+009F) too, and via ?author=.
        (status, error) = await SendRawAsync("POST", "/v1/threads"u8.ToArray(), [(byte)'a', 0xC2, 0x85, (byte)'b'], """{"title":"x"}"""u8.ToArray());
        Assert.Equal(400, status);
        Assert.Equal("invalid user id: user id must not contain control characters", error);
        (queryStatus, json, _) = await Api.SendAsync(HttpMethod.Post, "/v1/threads?author=a%0Ab", """{"title":"x"}""");
        Assert.Equal(400, queryStatus);
        Assert.Equal("invalid user id: user id must not contain control characters", json!["error"]!.GetValue<string>());

        // A frontend user id with a valid signature is validated the same way.
        var (frontStatus, frontJson, _) = await Api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"x"}""", PrgProcess.FrontendKey, tooLong, signed: true);
        Assert.Equal(400, frontStatus);
        Assert.Equal("invalid user id: user id must be at most 128 bytes", frontJson!["error"]!.GetValue<string>());

        Assert.Equal((before.Threads + 2, before.Messages), await StatsAsync());
    }

    [Fact]
    public async Task MessageKeysOfAnotherThreadAreNotFoundAndChangeNothing()
    {
        var user = PrgFixture.NewUser("cross");
        var a = await Api.CreateThreadAsync(user, "a");
        var b = await Api.CreateThreadAsync(user, "b");
        var inA = await Api.PostMessageAsync(user, a, JsonValue.Create("a1")!);
        var before = await StatsAsync();
        foreach (var (method, body) in new[] { (HttpMethod.Get, (string?)null), (HttpMethod.Put, """{"body":"x"}"""), (HttpMethod.Delete, null) })
        {
            var (status, json, _) = await Api.SendAsync(method, $"/v1/threads/{b}/messages/{inA}", body, user: user);
            Assert.Equal(404, status);
            Assert.Equal("message not found", json!["error"]!.GetValue<string>());
        }
        var (listStatus, listJson, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{b}/messages?anchor={inA}", user: user);
        Assert.Equal(400, listStatus);
        Assert.Equal("invalid pagination: anchor not found", listJson!["error"]!.GetValue<string>());
        Assert.Equal(before, await StatsAsync());
        var message = (await Api.GetOkAsync($"/v1/threads/{a}/messages/{inA}", user))["message"]!;
        Assert.Equal("a1", message["body"]!.GetValue<string>());
        Assert.Equal(1, message["version"]!.GetValue<int>());
        Assert.Empty((await Api.GetOkAsync($"/v1/threads/{b}/messages", user))["messages"]!.AsArray());
    }

    [Fact]
    public async Task SignRejectsBadBodiesWithoutSigning()
    {
        foreach (var (body, error) in new[]
        {
            ("{bad", "invalid JSON"),
            ("", "invalid JSON: empty body"),
            ("""{"userId":null}""", "validation errors: userId: cannot be empty"),
            ("""{"userId":["a"]}""", "validation errors: userId: must be a string"),
            ("""{"userId":"a\nb"}""", "invalid userId: user id must not contain control characters"),
        })
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/backend/v1/sign", body);
            Assert.Equal(400, status);
            Assert.StartsWith(error, json!["error"]!.GetValue<string>());
            Assert.Null(json["signature"]);
        }
    }
}
