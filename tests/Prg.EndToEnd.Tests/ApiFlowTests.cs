// The ProgressDB flows against the AOT binary: create then read back at once (read-your-writes),
// edits as versions, soft deletes, pagination, ownership and auth errors, and nothing user-written
// in plaintext on disk.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ApiFlowTests
{
    [Fact]
    public async Task ThreadAndMessageLifecycleReadsItsOwnWrites()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("alice", "General");
        var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/frontend/v1/threads/{thread}", user: "alice");
        Assert.Equal(200, status);
        Assert.Equal("General", json!["thread"]!["title"]!.GetValue<string>());
        Assert.Equal("alice", json["thread"]!["author"]!.GetValue<string>());
        Assert.False(json["thread"]!["deleted"]!.GetValue<bool>());
        Assert.Null(json["thread"]!["kms"]);

        var message = await api.PostMessageAsync("alice", thread, new JsonObject { ["text"] = "hi" });
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}", user: "alice");
        Assert.Equal(200, status);
        Assert.Equal("hi", json!["message"]!["body"]!["text"]!.GetValue<string>());
        Assert.Equal(1, json["message"]!["version"]!.GetValue<int>());

        (status, json, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", new JsonObject { ["body"] = new JsonObject { ["text"] = "edited" } }, user: "alice");
        Assert.Equal(200, status);
        Assert.Equal(2, json!["message"]!["version"]!.GetValue<int>());
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}/versions", user: "alice");
        Assert.Equal(200, status);
        var versions = json!["versions"]!.AsArray();
        Assert.Equal(2, versions.Count);
        Assert.Equal("hi", versions[0]!["body"]!["text"]!.GetValue<string>());
        Assert.Equal(1, versions[0]!["version"]!.GetValue<int>());
        Assert.Equal("edited", versions[1]!["body"]!["text"]!.GetValue<string>());

        (status, _, _) = await api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}/messages/{message}", user: "alice");
        Assert.Equal(200, status);
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}", user: "alice");
        Assert.Equal(404, status);
        Assert.Equal("message not found", json!["error"]!.GetValue<string>());

        (status, _, _) = await api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}", user: "alice");
        Assert.Equal(200, status);
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: "alice");
        Assert.Equal(404, status);
        Assert.Equal("thread not found", json!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task MessagePagesWalkBackwardsAndForwardsWithAnchors()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("carol", "paging");
        var keys = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            keys.Add(await api.PostMessageAsync("carol", thread, JsonValue.Create(i)!));
        }
        var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=10", user: "carol");
        Assert.Equal(200, status);
        var page = json!["messages"]!.AsArray().Select(m => m!["key"]!.GetValue<string>()).ToList();
        Assert.Equal(keys[13..], page);
        Assert.True(json["pagination"]!["has_before"]!.GetValue<bool>());
        Assert.False(json["pagination"]!["has_after"]!.GetValue<bool>());
        Assert.Equal(23, json["pagination"]!["total"]!.GetValue<int>());

        var collected = new List<string>(page);
        var before = json["pagination"]!["before_anchor"]!.GetValue<string>();
        while (true)
        {
            (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=10&before={Uri.EscapeDataString(before)}", user: "carol");
            Assert.Equal(200, status);
            var older = json!["messages"]!.AsArray().Select(m => m!["key"]!.GetValue<string>()).ToList();
            collected.InsertRange(0, older);
            if (!json["pagination"]!["has_before"]!.GetValue<bool>())
            {
                break;
            }
            before = json["pagination"]!["before_anchor"]!.GetValue<string>();
        }
        Assert.Equal(keys, collected);

        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=5&after={Uri.EscapeDataString(keys[2])}", user: "carol");
        Assert.Equal(keys[3..8], json!["messages"]!.AsArray().Select(m => m!["key"]!.GetValue<string>()).ToList());

        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=0", user: "carol");
        Assert.Equal(400, status);
        Assert.StartsWith("invalid pagination", json!["error"]!.GetValue<string>());
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?before=a&after=b", user: "carol");
        Assert.Equal(400, status);
        Assert.Equal("invalid pagination: only one of anchor, before, after can be specified", json!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task AuthenticationAndOwnershipErrorsFollowTheSpec()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("dave", "private");

        async Task Expect(int expected, string error, HttpMethod method, string path, string? key, string? user, bool signed = false, object? body = null)
        {
            var (status, json, _) = await api.SendAsync(method, path, body, key, user, signed);
            Assert.Equal(expected, status);
            Assert.Equal(error, json!["error"]!.GetValue<string>());
        }

        await Expect(401, "unauthorized", HttpMethod.Get, "/v1/threads", null, "dave");
        await Expect(401, "unauthorized", HttpMethod.Get, "/v1/threads", "wrong-key", "dave");
        await Expect(403, "forbidden", HttpMethod.Get, "/v1/threads", PrgProcess.AdminKey, "dave");
        await Expect(403, "forbidden", HttpMethod.Get, "/admin/stats", PrgProcess.BackendKey, null);
        await Expect(403, "forbidden", HttpMethod.Post, "/backend/v1/sign", PrgProcess.FrontendKey, "dave", true, """{"userId":"x"}""");
        await Expect(401, "missing user id", HttpMethod.Get, "/v1/threads", PrgProcess.FrontendKey, null);
        await Expect(401, "signature required", HttpMethod.Get, "/v1/threads", PrgProcess.FrontendKey, "dave");
        await Expect(400, "author required for backend requests", HttpMethod.Get, "/v1/threads", PrgProcess.BackendKey, null);
        await Expect(403, "access denied", HttpMethod.Get, $"/v1/threads/{thread}", PrgProcess.BackendKey, "eve");
        await Expect(404, "thread not found", HttpMethod.Get, "/v1/threads/nope", PrgProcess.BackendKey, "dave");
        await Expect(404, "not found", HttpMethod.Get, "/v2/whatever", PrgProcess.BackendKey, "dave");
        await Expect(404, "thread not found", HttpMethod.Get, "/v1/threads/bad%01id", PrgProcess.BackendKey, "dave");
        await Expect(404, "thread not found", HttpMethod.Get, "/v1/threads/" + new string('x', 200) + "/messages", PrgProcess.BackendKey, "dave");
        await Expect(404, "thread not found", HttpMethod.Get, "/admin/threads/bad%01id/kms", PrgProcess.AdminKey, null);
        await Expect(400, "validation errors: title: cannot be empty", HttpMethod.Post, "/v1/threads", PrgProcess.BackendKey, "dave", body: """{"title":""}""");
        await Expect(400, "validation errors: body: cannot be empty", HttpMethod.Post, $"/v1/threads/{thread}/messages", PrgProcess.BackendKey, "dave", body: """{"body":null}""");
        var (badJson, json, _) = await api.SendAsync(HttpMethod.Post, "/v1/threads", "{not json", user: "dave");
        Assert.Equal(400, badJson);
        Assert.StartsWith("invalid JSON", json!["error"]!.GetValue<string>());

        var (ok, signedJson, _) = await api.SendAsync(HttpMethod.Get, $"/frontend/v1/threads/{thread}", key: PrgProcess.FrontendKey, user: "dave", signed: true);
        Assert.Equal(200, ok);
        Assert.Equal("private", signedJson!["thread"]!["title"]!.GetValue<string>());

        var (statsStatus, stats, _) = await api.SendAsync(HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey);
        Assert.Equal(200, statsStatus);
        Assert.Equal(1, stats!["threads"]!.GetValue<int>());
    }

    [Fact]
    public async Task NothingUserWrittenIsStoredInPlaintext()
    {
        const string marker = "MARKER-7f3a9c-plaintext";
        var prg = await PrgProcess.StartAsync();
        var dataDir = prg.DataDir;
        var work = prg.WorkDir;
        using (var api = new ApiClient(prg.Port))
        {
            var thread = await api.CreateThreadAsync("frank", "title " + marker);
            var message = await api.PostMessageAsync("frank", thread, new JsonObject { ["text"] = "body " + marker });
            var (status, _, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", new JsonObject { ["body"] = new JsonObject { ["text"] = "edit " + marker } }, user: "frank");
            Assert.Equal(200, status);
        }
        prg.Signal("TERM");
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var needle = Encoding.UTF8.GetBytes(marker);
        var files = Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"plaintext marker found in {file}");
        }
        Assert.DoesNotContain(marker, prg.Output);
        Assert.DoesNotContain(PrgProcess.MasterKeyHex, prg.Output);
        await prg.DisposeAsync();
        Assert.False(Directory.Exists(work));
    }
}
