// Black-box conformance of every route of spec/api.md §4 and the public/sign routes: exact JSON shapes,
// status codes and error strings, server-owned fields, aliases, escapes and wrong methods.
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ConformanceTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private static readonly string[] ThreadFields = ["key", "title", "author", "created_ts", "updated_ts", "deleted", "last_read", "unread"];
    private static readonly string[] MessageFields = ["key", "thread", "author", "created_ts", "updated_ts", "body", "deleted", "version"];
    private static readonly string[] PaginationFields = ["before_anchor", "after_anchor", "has_before", "has_after", "count", "total"];

    private ApiClient Api => fixture.Api;

    private static void AssertFields(JsonNode? node, params string[] names)
    {
        Assert.NotNull(node);
        Assert.Equal(names.Order(), node!.AsObject().Select(p => p.Key).Order());
    }

    private static void AssertNanosNearNow(JsonNode? ts)
    {
        var nanos = ts!.GetValue<long>();
        var now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100L;
        Assert.InRange(nanos, now - 3_600_000_000_000L, now + 3_600_000_000_000L);
    }

    private async Task ExpectError(int status, string error, HttpMethod method, string path, object? body = null, string? key = PrgProcess.BackendKey, string? user = null, bool signed = false)
    {
        var (actual, json, raw) = await Api.SendAsync(method, path, body, key, user, signed);
        Assert.True(actual == status, $"{method} {path}: expected {status}, got {actual}: {json?.ToJsonString()}");
        AssertFields(json, "error");
        Assert.Equal(error, json!["error"]!.GetValue<string>());
        Assert.Equal("application/json", raw.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HealthReadinessAndAdminHealthHaveTheirExactBodies()
    {
        var (status, json, raw) = await Api.SendAsync(HttpMethod.Get, "/healthz", key: null);
        Assert.Equal(200, status);
        Assert.Equal("""{"status":"ok"}""", json!.ToJsonString());
        Assert.Equal("application/json", raw.Content.Headers.ContentType?.MediaType);

        (status, json, _) = await Api.SendAsync(HttpMethod.Get, "/readyz", key: null);
        Assert.Equal(200, status);
        AssertFields(json, "status", "version");
        Assert.Equal("ok", json!["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["version"]!.GetValue<string>()));

        (status, json, _) = await Api.SendAsync(HttpMethod.Get, "/admin/health", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        Assert.Equal("""{"status":"ok","service":"progressdb"}""", json!.ToJsonString());
    }

    [Fact]
    public async Task SignReturnsTheHmacOfTheUserIdAndValidatesIt()
    {
        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/backend/v1/sign", """{"userId":"alice"}""");
        Assert.Equal(200, status);
        AssertFields(json, "userId", "signature");
        Assert.Equal("alice", json!["userId"]!.GetValue<string>());
        Assert.Equal(ApiClient.Sign("alice"), json["signature"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{64}$", json["signature"]!.GetValue<string>());

        var longest = new string('x', 36);
        (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/backend/v1/sign", new JsonObject { ["userId"] = longest });
        Assert.Equal(200, status);
        Assert.Equal(ApiClient.Sign(longest), json!["signature"]!.GetValue<string>());

        await ExpectError(400, "invalid userId: user id must be at most 36 bytes", HttpMethod.Post, "/backend/v1/sign", new JsonObject { ["userId"] = longest + "x" });
        await ExpectError(400, "invalid userId: user id must not contain control characters", HttpMethod.Post, "/backend/v1/sign", """{"userId":"a\u0007b"}""");
        await ExpectError(400, "validation errors: userId: cannot be empty", HttpMethod.Post, "/backend/v1/sign", """{"userId":""}""");
        await ExpectError(400, "validation errors: userId: cannot be empty", HttpMethod.Post, "/backend/v1/sign", """{}""");
        await ExpectError(400, "validation errors: userId: must be a string", HttpMethod.Post, "/backend/v1/sign", """{"userId":7}""");

        // The signature the backend hands out is what the frontend key then uses.
        var (ok, _, _) = await Api.SendAsync(HttpMethod.Get, "/frontend/v1/threads", key: PrgProcess.FrontendKey, user: "alice", signed: true);
        Assert.Equal(200, ok);
    }

    [Fact]
    public async Task ThreadRoutesHaveTheSpecShapesAndSoftDeleteHidesTheThread()
    {
        var user = PrgFixture.NewUser();
        var (status, json, raw) = await Api.SendAsync(HttpMethod.Post, "/frontend/v1/threads", """{"title":"General"}""", user: user);
        Assert.Equal(201, status);
        Assert.Equal("application/json", raw.Content.Headers.ContentType?.MediaType);
        AssertFields(json, "key", "thread");
        var key = json!["key"]!.GetValue<string>();
        var thread = json["thread"]!;
        AssertFields(thread, ThreadFields);
        Assert.Equal(key, thread["key"]!.GetValue<string>());
        Assert.Equal("General", thread["title"]!.GetValue<string>());
        Assert.Equal(user, thread["author"]!.GetValue<string>());
        Assert.False(thread["deleted"]!.GetValue<bool>());
        AssertNanosNearNow(thread["created_ts"]);
        Assert.Equal(thread["created_ts"]!.GetValue<long>(), thread["updated_ts"]!.GetValue<long>());
        Assert.Matches("^[A-Za-z0-9_-]+$", key);

        json = await Api.GetOkAsync($"/frontend/v1/threads/{key}", user);
        AssertFields(json, "thread");
        Assert.Equal(thread.ToJsonString(), json["thread"]!.ToJsonString());

        (status, json, _) = await Api.SendAsync(HttpMethod.Put, $"/frontend/v1/threads/{key}", """{"title":"Renamed"}""", user: user);
        Assert.Equal(200, status);
        AssertFields(json, "key", "thread");
        Assert.Equal(key, json!["key"]!.GetValue<string>());
        AssertFields(json["thread"], ThreadFields);
        Assert.Equal("Renamed", json["thread"]!["title"]!.GetValue<string>());
        Assert.Equal(thread["created_ts"]!.GetValue<long>(), json["thread"]!["created_ts"]!.GetValue<long>());
        Assert.True(json["thread"]!["updated_ts"]!.GetValue<long>() > thread["updated_ts"]!.GetValue<long>());
        Assert.Equal("Renamed", (await Api.GetOkAsync($"/v1/threads/{key}", user))["thread"]!["title"]!.GetValue<string>());

        var list = await Api.GetOkAsync("/frontend/v1/threads", user);
        AssertFields(list, "threads", "pagination");
        AssertFields(list["pagination"], PaginationFields);
        Assert.Equal([key], ApiClient.KeysOf(list["threads"]));
        AssertFields(list["threads"]![0], ThreadFields);

        (status, json, _) = await Api.SendAsync(HttpMethod.Delete, $"/frontend/v1/threads/{key}", user: user);
        Assert.Equal(200, status);
        Assert.Equal($$"""{"key":"{{key}}"}""", json!.ToJsonString());

        await ExpectError(404, "thread not found", HttpMethod.Get, $"/frontend/v1/threads/{key}", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Put, $"/frontend/v1/threads/{key}", """{"title":"x"}""", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Delete, $"/frontend/v1/threads/{key}", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Post, $"/frontend/v1/threads/{key}/messages", """{"body":1}""", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Get, $"/frontend/v1/threads/{key}/messages", user: user);
        list = await Api.GetOkAsync("/frontend/v1/threads", user);
        Assert.Empty(list["threads"]!.AsArray());
        Assert.Equal(0, list["pagination"]!["total"]!.GetValue<int>());
        Assert.Equal("", list["pagination"]!["before_anchor"]!.GetValue<string>());
        Assert.Equal("", list["pagination"]!["after_anchor"]!.GetValue<string>());
    }

    [Fact]
    public async Task MessageRoutesHaveTheSpecShapesVersionsAndSoftDelete()
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "messages");
        var body = JsonNode.Parse("""{"text":"hi ✓ \u00e9","n":[1,2.5,true,null],"nested":{"a":{"b":"c"}}}""")!;
        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, $"/frontend/v1/threads/{thread}/messages", new JsonObject { ["body"] = body.DeepClone() }, user: user);
        Assert.Equal(201, status);
        AssertFields(json, "key", "message");
        var key = json!["key"]!.GetValue<string>();
        var message = json["message"]!;
        AssertFields(message, MessageFields);
        Assert.Equal(key, message["key"]!.GetValue<string>());
        Assert.Equal(thread, message["thread"]!.GetValue<string>());
        Assert.Equal(user, message["author"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(body, message["body"]));
        Assert.False(message["deleted"]!.GetValue<bool>());
        Assert.Equal(1, message["version"]!.GetValue<int>());
        AssertNanosNearNow(message["created_ts"]);

        json = await Api.GetOkAsync($"/frontend/v1/threads/{thread}/messages/{key}", user);
        AssertFields(json, "message");
        Assert.Equal(message.ToJsonString(), json["message"]!.ToJsonString());

        var list = await Api.GetOkAsync($"/frontend/v1/threads/{thread}/messages", user);
        AssertFields(list, "thread", "messages", "pagination");
        Assert.Equal(thread, list["thread"]!.GetValue<string>());
        AssertFields(list["pagination"], PaginationFields);
        Assert.Equal(message.ToJsonString(), list["messages"]![0]!.ToJsonString());
        Assert.Equal(1, list["pagination"]!["total"]!.GetValue<int>());
        Assert.Equal(1, list["pagination"]!["count"]!.GetValue<int>());
        Assert.Equal(key, list["pagination"]!["before_anchor"]!.GetValue<string>());
        Assert.Equal(key, list["pagination"]!["after_anchor"]!.GetValue<string>());

        // Scalars and arrays are bodies too.
        foreach (var other in new JsonNode?[] { JsonValue.Create("just text"), JsonValue.Create(42), JsonValue.Create(false), new JsonArray(1, "two") })
        {
            var otherKey = await Api.PostMessageAsync(user, thread, other!);
            var got = await Api.GetOkAsync($"/v1/threads/{thread}/messages/{otherKey}", user);
            Assert.True(JsonNode.DeepEquals(other, got["message"]!["body"]));
        }

        var bodies = new List<JsonNode> { body };
        for (var v = 2; v <= 4; v++)
        {
            var next = new JsonObject { ["text"] = $"edit {v}" };
            (status, json, _) = await Api.SendAsync(HttpMethod.Put, $"/frontend/v1/threads/{thread}/messages/{key}", new JsonObject { ["body"] = next.DeepClone() }, user: user);
            Assert.Equal(200, status);
            AssertFields(json, "key", "message");
            Assert.Equal(key, json!["key"]!.GetValue<string>());
            AssertFields(json["message"], MessageFields);
            Assert.Equal(v, json["message"]!["version"]!.GetValue<int>());
            Assert.Equal(message["created_ts"]!.GetValue<long>(), json["message"]!["created_ts"]!.GetValue<long>());
            Assert.True(json["message"]!["updated_ts"]!.GetValue<long>() > message["updated_ts"]!.GetValue<long>());
            Assert.True(JsonNode.DeepEquals(next, json["message"]!["body"]));
            bodies.Add(next);
            var current = await Api.GetOkAsync($"/frontend/v1/threads/{thread}/messages/{key}", user);
            Assert.Equal(v, current["message"]!["version"]!.GetValue<int>());
            Assert.True(JsonNode.DeepEquals(next, current["message"]!["body"]));
        }

        var versions = await Api.GetOkAsync($"/frontend/v1/threads/{thread}/messages/{key}/versions", user);
        // /versions is paged like messages (bounded work per request), so it carries a pagination block.
        AssertFields(versions, "pagination", "versions");
        AssertFields(versions["pagination"], PaginationFields);
        var items = versions["versions"]!.AsArray();
        Assert.Equal(4, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            AssertFields(items[i], MessageFields);
            Assert.Equal(i + 1, items[i]!["version"]!.GetValue<int>());
            Assert.Equal(key, items[i]!["key"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(bodies[i], items[i]!["body"]), $"version {i + 1}");
        }
        Assert.Equal(message["created_ts"]!.GetValue<long>(), items[0]!["updated_ts"]!.GetValue<long>());

        (status, json, _) = await Api.SendAsync(HttpMethod.Delete, $"/frontend/v1/threads/{thread}/messages/{key}", user: user);
        Assert.Equal(200, status);
        Assert.Equal($$"""{"key":"{{key}}"}""", json!.ToJsonString());
        await ExpectError(404, "message not found", HttpMethod.Get, $"/frontend/v1/threads/{thread}/messages/{key}", user: user);
        await ExpectError(404, "message not found", HttpMethod.Put, $"/frontend/v1/threads/{thread}/messages/{key}", """{"body":1}""", user: user);
        await ExpectError(404, "message not found", HttpMethod.Delete, $"/frontend/v1/threads/{thread}/messages/{key}", user: user);
        await ExpectError(404, "message not found", HttpMethod.Get, $"/frontend/v1/threads/{thread}/messages/{key}/versions", user: user);
        list = await Api.GetOkAsync($"/frontend/v1/threads/{thread}/messages", user);
        Assert.DoesNotContain(key, ApiClient.KeysOf(list["messages"]));
        Assert.Equal(4, list["pagination"]!["total"]!.GetValue<int>());
        await ExpectError(404, "message not found", HttpMethod.Get, $"/frontend/v1/threads/{thread}/messages/0000000000000000001-000000000001", user: user);
        await ExpectError(404, "message not found", HttpMethod.Get, $"/frontend/v1/threads/{thread}/messages/not-a-key", user: user);
    }

    [Fact]
    public async Task ClientSentServerFieldsAreIgnored()
    {
        var user = PrgFixture.NewUser();
        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/v1/threads",
            """{"title":"t","key":"mine","author":"mallory","created_ts":1,"updated_ts":2,"deleted":true,"kms":{"key_id":"x"}}""", user: user);
        Assert.Equal(201, status);
        var thread = json!["thread"]!;
        var key = json["key"]!.GetValue<string>();
        Assert.NotEqual("mine", key);
        Assert.Equal(user, thread["author"]!.GetValue<string>());
        Assert.False(thread["deleted"]!.GetValue<bool>());
        AssertNanosNearNow(thread["created_ts"]);
        AssertFields(thread, ThreadFields);
        Assert.Equal(404, (await Api.SendAsync(HttpMethod.Get, "/v1/threads/mine", user: user)).Status);

        (status, json, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads/{key}/messages",
            """{"body":{"x":1},"key":"m","thread":"other","author":"mallory","created_ts":1,"updated_ts":2,"deleted":true,"version":9}""", user: user);
        Assert.Equal(201, status);
        var message = json!["message"]!;
        Assert.Equal(key, message["thread"]!.GetValue<string>());
        Assert.Equal(user, message["author"]!.GetValue<string>());
        Assert.False(message["deleted"]!.GetValue<bool>());
        Assert.Equal(1, message["version"]!.GetValue<int>());
        AssertNanosNearNow(message["created_ts"]);
        var messageKey = json["key"]!.GetValue<string>();
        Assert.NotEqual("m", messageKey);
        // Still live and listed: the client's deleted:true was not taken.
        Assert.Equal([messageKey], ApiClient.KeysOf((await Api.GetOkAsync($"/v1/threads/{key}/messages", user))["messages"]));

        (status, json, _) = await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{key}", """{"title":"t2","deleted":true,"author":"mallory"}""", user: user);
        Assert.Equal(200, status);
        Assert.False(json!["thread"]!["deleted"]!.GetValue<bool>());
        Assert.Equal(user, json["thread"]!["author"]!.GetValue<string>());
        (status, json, _) = await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{key}/messages/{messageKey}", """{"body":2,"deleted":true,"version":50}""", user: user);
        Assert.Equal(200, status);
        Assert.Equal(2, json!["message"]!["version"]!.GetValue<int>());
        Assert.False(json["message"]!["deleted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DeletingAThreadMakesItsMessagesUnreachable()
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "doomed");
        var message = await Api.PostMessageAsync(user, thread, JsonValue.Create("x")!);
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}", user: user)).Status);
        await ExpectError(404, "thread not found", HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", """{"body":1}""", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Delete, $"/v1/threads/{thread}/messages/{message}", user: user);
        await ExpectError(404, "thread not found", HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}/versions", user: user);
    }

    [Fact]
    public async Task AMessageAddressedUnderAnotherThreadIsNotFoundAndUntouched()
    {
        var user = PrgFixture.NewUser();
        var a = await Api.CreateThreadAsync(user, "a");
        var b = await Api.CreateThreadAsync(user, "b");
        var message = await Api.PostMessageAsync(user, a, JsonValue.Create("in a")!);
        await ExpectError(404, "message not found", HttpMethod.Get, $"/v1/threads/{b}/messages/{message}", user: user);
        await ExpectError(404, "message not found", HttpMethod.Put, $"/v1/threads/{b}/messages/{message}", """{"body":"hijack"}""", user: user);
        await ExpectError(404, "message not found", HttpMethod.Delete, $"/v1/threads/{b}/messages/{message}", user: user);
        await ExpectError(404, "message not found", HttpMethod.Get, $"/v1/threads/{b}/messages/{message}/versions", user: user);

        var still = await Api.GetOkAsync($"/v1/threads/{a}/messages/{message}", user);
        Assert.Equal("in a", still["message"]!["body"]!.GetValue<string>());
        Assert.Equal(1, still["message"]!["version"]!.GetValue<int>());
        Assert.Empty((await Api.GetOkAsync($"/v1/threads/{b}/messages", user))["messages"]!.AsArray());

        // Another user's thread key under one's own: the thread check comes first.
        var other = PrgFixture.NewUser();
        var theirs = await Api.CreateThreadAsync(other, "theirs");
        var theirMessage = await Api.PostMessageAsync(other, theirs, JsonValue.Create("secret")!);
        await ExpectError(404, "message not found", HttpMethod.Get, $"/v1/threads/{a}/messages/{theirMessage}", user: user);
        await ExpectError(403, "access denied", HttpMethod.Get, $"/v1/threads/{theirs}/messages/{theirMessage}", user: user);
    }

    [Fact]
    public async Task V1IsAnAliasAndPercentEscapedKeysAreTheSameKey()
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "alias");
        var message = await Api.PostMessageAsync(user, thread, JsonValue.Create(1)!);
        var viaFrontend = await Api.GetOkAsync($"/frontend/v1/threads/{thread}/messages/{message}", user);
        var viaV1 = await Api.GetOkAsync($"/v1/threads/{thread}/messages/{message}", user);
        Assert.Equal(viaFrontend.ToJsonString(), viaV1.ToJsonString());

        static string EscapeAll(string s) => string.Concat(s.Select(c => $"%{(int)c:X2}"));
        var escaped = await Api.GetOkAsync($"/frontend/v1/threads/{EscapeAll(thread)}/messages/{EscapeAll(message)}", user);
        Assert.Equal(viaFrontend.ToJsonString(), escaped.ToJsonString());
        Assert.Equal(thread, (await Api.GetOkAsync($"/v1/threads/{EscapeAll(thread)}", user))["thread"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownRoutesAre404AndWrongMethodsAre405WithAllow()
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "methods");
        await ExpectError(404, "not found", HttpMethod.Get, "/v2/threads", user: user);
        await ExpectError(404, "not found", HttpMethod.Get, $"/v1/threads/{thread}/nope", user: user);
        await ExpectError(404, "not found", HttpMethod.Get, "/admin/nothing", key: PrgProcess.AdminKey);

        foreach (var (method, path, allowed) in new[]
        {
            (HttpMethod.Patch, $"/v1/threads/{thread}", new[] { "GET", "PUT", "DELETE" }),
            (HttpMethod.Delete, "/v1/threads", ["GET", "POST"]),
            (HttpMethod.Post, "/admin/stats", ["GET"]),
            (HttpMethod.Get, "/backend/v1/sign", ["POST"]),
            (HttpMethod.Get, "/admin/jobs/purge", ["POST"]),
        })
        {
            var (status, json, raw) = await Api.SendAsync(method, path, user: user);
            Assert.Equal(405, status);
            Assert.Equal("method not allowed", json!["error"]!.GetValue<string>());
            var allow = raw.Content.Headers.Allow.Count > 0 ? raw.Content.Headers.Allow : raw.Headers.TryGetValues("Allow", out var v) ? v.SelectMany(x => x.Split(',')).Select(x => x.Trim()).ToList() : [];
            foreach (var m in allowed)
            {
                Assert.Contains(m, allow);
            }
        }
    }

    [Fact]
    public async Task KeysAreAcceptedAsBearerInAnyCaseOrAsXApiKey()
    {
        var user = PrgFixture.NewUser();
        foreach (var (name, value) in new[]
        {
            ("Authorization", "bearer " + PrgProcess.BackendKey),
            ("Authorization", "BEARER " + PrgProcess.BackendKey),
            ("X-API-Key", PrgProcess.BackendKey),
        })
        {
            var (status, _, _) = await Api.SendAsync(HttpMethod.Get, "/v1/threads", key: null, user: user, headers: [new(name, value)]);
            Assert.Equal(200, status);
        }
        await ExpectError(401, "unauthorized", HttpMethod.Get, "/v1/threads", key: null, user: user);
        await ExpectError(401, "unauthorized", HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey + "x");
        await ExpectError(401, "unauthorized", HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey[..^1]);
    }

    [Fact]
    public async Task ActingUserRulesForFrontendAndBackendKeys()
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "who");

        // Frontend: the signed user only; ?author= naming someone else is refused.
        var (status, _, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}?author={user}", key: PrgProcess.FrontendKey, user: user, signed: true);
        Assert.Equal(200, status);
        (status, var json, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}?author=someone-else", key: PrgProcess.FrontendKey, user: user, signed: true);
        Assert.Equal(403, status);
        Assert.StartsWith("forbidden", json!["error"]!.GetValue<string>());
        (status, json, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", key: PrgProcess.FrontendKey, user: user,
            headers: [new("X-User-Signature", ApiClient.Sign(user + "x"))]);
        Assert.Equal(401, status);
        Assert.Equal("invalid signature", json!["error"]!.GetValue<string>());
        (status, json, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", key: PrgProcess.FrontendKey, user: user,
            headers: [new("X-User-Signature", "zz")]);
        Assert.Equal(401, status);
        Assert.Equal("invalid signature", json!["error"]!.GetValue<string>());
        await ExpectError(401, "missing user id", HttpMethod.Get, "/v1/threads", key: PrgProcess.FrontendKey);
        await ExpectError(401, "signature required", HttpMethod.Get, "/v1/threads", key: PrgProcess.FrontendKey, user: user);

        // Backend: X-User-ID, else ?author=; a signature is ignored.
        (status, _, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: user, headers: [new("X-User-Signature", "not-even-hex")]);
        Assert.Equal(200, status);
        (status, json, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}?author={Uri.EscapeDataString(user)}");
        Assert.Equal(200, status);
        Assert.Equal(thread, json!["thread"]!["key"]!.GetValue<string>());
        (status, json, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads?author={Uri.EscapeDataString(user)}", """{"title":"via query"}""");
        Assert.Equal(201, status);
        Assert.Equal(user, json!["thread"]!["author"]!.GetValue<string>());
        await ExpectError(400, "author required for backend requests", HttpMethod.Get, "/v1/threads");
        await ExpectError(403, "access denied", HttpMethod.Get, $"/v1/threads/{thread}", user: PrgFixture.NewUser());
    }

    [Fact]
    public async Task UserIdsThatLookLikeKeySeparatorsDoNotAliasOtherUsers()
    {
        var plain = PrgFixture.NewUser();
        var tricky = plain + ":thread";
        var mine = await Api.CreateThreadAsync(plain, "plain");
        var theirs = await Api.CreateThreadAsync(tricky, "tricky");
        Assert.Equal([mine], ApiClient.KeysOf((await Api.GetOkAsync("/v1/threads", plain))["threads"]));
        Assert.Equal([theirs], ApiClient.KeysOf((await Api.GetOkAsync("/v1/threads", tricky))["threads"]));
        await ExpectError(403, "access denied", HttpMethod.Get, $"/v1/threads/{mine}", user: tricky);
        var percent = plain + "%3A";
        await ExpectError(403, "access denied", HttpMethod.Get, $"/v1/threads/{theirs}", user: percent);
        Assert.Empty((await Api.GetOkAsync("/v1/threads", percent))["threads"]!.AsArray());
    }

    [Fact]
    public async Task PurgeWithTheDefaultRetentionKeepsRecentlyDeletedItems()
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "keep");
        var message = await Api.PostMessageAsync(user, thread, JsonValue.Create(1)!);
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}/messages/{message}", user: user)).Status);
        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/admin/jobs/purge", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        Assert.Equal("done", json!["status"]!.GetValue<string>());
        Assert.Equal(0, json["purged"]!.GetValue<int>());
    }

    [Fact]
    public async Task ErrorAndSuccessResponsesAreJsonEvenWithoutAnAcceptHeader()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Prg.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/threads");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await http.SendAsync(request);
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"error":"unauthorized"}""", await response.Content.ReadAsStringAsync());
    }
}
