// Client input that used to give 500 or be stored unreadable (issue 10 items 6, 7, 9): unpaired
// surrogate escapes in property names and values, numbers no double holds, deep nesting, repeated query
// parameters, non-JSON content types, rotate-kek refusals that described files, and /readyz while the
// key service is down. Each is a clear 4xx (or 503) and stores nothing.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class InputValidationTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private ApiClient Api => fixture.Api;

    private static string Error(JsonNode? json) => json?["error"]?.GetValue<string>() ?? "(no JSON error)";

    /// <summary>Sends <paramref name="body"/> to every write route that takes a JSON body, with the field each needs.</summary>
    private async Task<List<(string Route, int Status, string Error)>> SendToEveryWriteRouteAsync(
        Func<string, string> bodyFor, string? contentType = "application/json")
    {
        var user = PrgFixture.NewUser("in");
        var thread = await Api.CreateThreadAsync(user, "t");
        var message = await Api.PostMessageAsync(user, thread, JsonValue.Create("original")!);
        var routes = new (HttpMethod Method, string Path, string Field, string Key)[]
        {
            (HttpMethod.Post, "/v1/threads", "title", PrgProcess.BackendKey),
            (HttpMethod.Put, $"/v1/threads/{thread}", "title", PrgProcess.BackendKey),
            (HttpMethod.Post, $"/v1/threads/{thread}/messages", "body", PrgProcess.BackendKey),
            (HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", "body", PrgProcess.BackendKey),
            (HttpMethod.Post, "/backend/v1/sign", "userId", PrgProcess.BackendKey),
            (HttpMethod.Post, "/admin/encryption/rotate-kek", "master_key_file", PrgProcess.AdminKey),
        };
        var results = new List<(string, int, string)>();
        foreach (var (method, path, field, key) in routes)
        {
            var (status, json, _) = await Api.SendAsync(method, path, Encoding.UTF8.GetBytes(bodyFor(field)), key: key,
                user: key == PrgProcess.AdminKey ? null : user, contentType: contentType);
            results.Add(($"{method} {path}", status, Error(json)));
        }
        // Nothing changed: the title, the message and its versions are as they were.
        Assert.Equal("t", (await Api.GetOkAsync($"/v1/threads/{thread}", user))["thread"]!["title"]!.GetValue<string>());
        var versions = (await Api.GetOkAsync($"/v1/threads/{thread}/messages/{message}/versions", user))["versions"]!.AsArray();
        Assert.Equal("original", Assert.Single(versions)!["body"]!.GetValue<string>());
        return results;
    }

    [Theory]
    [InlineData("""{"{0}":"x","\udc00":1}""")]
    [InlineData("""{"\ud800":{"a":1},"{0}":"x"}""")]
    [InlineData("""{"{0}":"x","nested":[{"\udfff":true}]}""")]
    public async Task UnpairedSurrogatePropertyNamesAreA400OnEveryJsonRoute(string template)
    {
        var before = await Api.CountsAsync();
        var results = await SendToEveryWriteRouteAsync(field => template.Replace("{0}", field));
        Assert.All(results, r =>
        {
            Assert.True(r.Status == 400, $"{r.Route}: {r.Status} {r.Error}");
            Assert.Contains("property name", r.Error);
            Assert.Contains("is not valid Unicode", r.Error);
        });
        Assert.Equal((before.Threads + 1, before.Messages + 1), await Api.CountsAsync());
    }

    public static TheoryData<string, string> UnreadableValues => new()
    {
        { "\"a\\ud800\"", "is not valid Unicode" },
        { "\"\\udc00b\"", "is not valid Unicode" },
        { "{\"text\":[\"ok\",{\"deep\":\"\\ud83d\"}]}", "is not valid Unicode" },
        { "1e999999999", "out of range" },
        { "-1e309", "out of range" },
        { "{\"n\":" + new string('9', 50_000) + "}", "out of range" },
        { "0." + new string('1', 65), "out of range" },
        { new string('[', 32) + new string(']', 32), "nest deeper than 32 levels" },
    };

    [Theory]
    [MemberData(nameof(UnreadableValues))]
    public async Task ValuesCommonParsersCannotReadAreRefusedEverywhere(string value, string reason)
    {
        var before = await Api.CountsAsync();
        var results = await SendToEveryWriteRouteAsync(field => $$"""{"{{field}}":{{value}}}""");
        Assert.All(results, r =>
        {
            Assert.True(r.Status == 400, $"{r.Route}: {r.Status} {r.Error}");
            Assert.StartsWith("invalid JSON: ", r.Error);
            Assert.Contains(reason, r.Error);
        });
        Assert.Equal((before.Threads + 1, before.Messages + 1), await Api.CountsAsync());
    }

    [Fact]
    public async Task AcceptedBodiesAtTheLimitsAreReadBackByPythonAndJavaScript()
    {
        var user = PrgFixture.NewUser("limits");
        var thread = await Api.CreateThreadAsync(user, "limits \ud83d\ude00");
        var bodies = new[]
        {
            """{"body":{"n":[1.7976931348623157e308,-1.7976931348623157e308,-0,1e-400,123456789012345678901234567890]}}""",
            """{"body":"\ud83d\ude00 \u0000 \uDBFF\uDFFF \u00e9 é"}""",
            $$"""{"body":{{new string('1', 64)}}}""",
            $$"""{"body":{{new string('[', 31)}}"deep"{{new string(']', 31)}}}""",
            "{\"body\" :\n {\"spaced\" :\t[ 1 , 2 ] } }",
        };
        var responses = new List<byte[]>();
        foreach (var body in bodies)
        {
            var (status, json, raw) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", Encoding.UTF8.GetBytes(body), user: user);
            Assert.True(status == 201, $"{body[..Math.Min(body.Length, 80)]}: {status} {Error(json)}");
            responses.Add(await raw.Content.ReadAsByteArrayAsync());
        }
        var (_, _, page) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=1000", user: user);
        responses.Add(await page.Content.ReadAsByteArrayAsync());
        await JsonParsers.AssertAllReadableAsync(responses);
    }

    [Fact]
    public async Task RepeatedQueryParametersAreA400()
    {
        var user = PrgFixture.NewUser("rep");
        var thread = await Api.CreateThreadAsync(user, "t");
        foreach (var (path, name) in new[]
        {
            ($"/v1/threads?author={user}&author=bob", "author"),
            ($"/v1/threads/{thread}/messages?author={user}&limit=1000&limit=0", "limit"),
            ($"/v1/threads/{thread}/messages?author={user}&before=a&before=b", "before"),
            ($"/v1/threads/{thread}/messages?author={user}&sort_by=created_ts&sort_by=updated_ts", "sort_by"),
            ($"/v1/threads?author={user}&limit=5&anchor=&anchor=", "anchor"),
        })
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Get, path);
            Assert.True(status == 400, $"{path}: {status}");
            Assert.Equal($"query parameter {name} is given more than once", Error(json));
        }
        // A repeated author cannot change who acts, on a write either.
        var before = await Api.CountsAsync();
        var (postStatus, postJson, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads?author={user}&author=mallory", """{"title":"x"}""");
        Assert.Equal(400, postStatus);
        Assert.Equal("query parameter author is given more than once", Error(postJson));
        Assert.Equal(before, await Api.CountsAsync());
        // Given once, each still works.
        Assert.Single((await Api.GetOkAsync($"/v1/threads?author={user}&limit=1000"))["threads"]!.AsArray());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=xyz")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/xml")]
    public async Task NonJsonContentTypesAreA415OnEveryJsonRoute(string contentType)
    {
        var before = await Api.CountsAsync();
        var results = await SendToEveryWriteRouteAsync(field => $$"""{"{{field}}":"x"}""", contentType);
        Assert.All(results, r =>
        {
            Assert.True(r.Status == 415, $"{r.Route}: {r.Status} {r.Error}");
            Assert.Equal("unsupported content type: request bodies must be application/json (UTF-8)", r.Error);
        });
        Assert.Equal((before.Threads + 1, before.Messages + 1), await Api.CountsAsync());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData(null)]
    public async Task JsonAndAMissingContentTypeAreAccepted(string? contentType)
    {
        var user = PrgFixture.NewUser("ct");
        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"typed"}""", user: user, contentType: contentType);
        Assert.True(status == 201, $"{status} {Error(json)}");
        var thread = json!["key"]!.GetValue<string>();
        (status, json, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", """{"body":"typed"}""", user: user, contentType: contentType);
        Assert.True(status == 201, $"{status} {Error(json)}");
    }

    [Fact]
    public async Task RotateKekRefusalsSayOnlyThatTheKeyCouldNotBeUsed()
    {
        var work = PrgProcess.NewDirectory();
        var worldReadable = EncryptionTestKeys.WriteKeyFile(work, "loose.key", EncryptionTestKeys.Key2Hex,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var shortKey = EncryptionTestKeys.WriteKeyFile(work, "short.key", "abcd");
        var notHex = EncryptionTestKeys.WriteKeyFile(work, "text.key", new string('z', 64));
        var paths = new[]
        {
            Path.Combine(work, "missing.key"), work, worldReadable, shortKey, notHex, "/etc/passwd", "/proc/self/environ",
            "/dev/null", "relative/nothing", "a\0b", "\0", new string('x', 5000),
        };
        foreach (var path in paths)
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/admin/encryption/rotate-kek",
                new JsonObject { ["master_key_file"] = path }, key: PrgProcess.AdminKey);
            Assert.True(status == 400, $"{path[..Math.Min(path.Length, 40)]}: {status} {Error(json)}");
            Assert.Equal("master_key_file: the key could not be used (it must be a regular file of mode 0600 or 0400 holding 64 hex characters)", Error(json));
        }
        Assert.DoesNotContain(EncryptionTestKeys.Key2Hex, fixture.Prg.Output);
    }

    [Fact]
    public async Task ReadyzIs503WhileTheExternalKeyServiceIsDown()
    {
        var work = PrgProcess.NewDirectory();
        var keyFile = EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex);
        await using var kms = new KmsProcess(work, keyFile);
        await kms.StartAsync();
        var yaml = $"encryption:\n  enabled: true\n  kms:\n    mode: external\n    endpoint: {kms.Endpoint}\n    master_key_file: {keyFile}\n";
        await using var prg = await PrgProcess.StartAsync(topYaml: yaml, workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        Assert.Equal(200, await ReadyzAsync(api));

        await kms.KillAsync();
        Assert.Equal(503, await WaitForReadyzAsync(api, 503));
        var (_, json, _) = await api.SendAsync(HttpMethod.Get, "/readyz", key: null);
        Assert.Equal("not ready", Error(json));
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/healthz", key: null)).Status);

        await kms.StartAsync();
        Assert.Equal(200, await WaitForReadyzAsync(api, 200));
    }

    private static async Task<int> ReadyzAsync(ApiClient api) => (await api.SendAsync(HttpMethod.Get, "/readyz", key: null)).Status;

    private static async Task<int> WaitForReadyzAsync(ApiClient api, int wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int status;
        while ((status = await ReadyzAsync(api)) != wanted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return status;
    }
}
