// The admin routes (spec/api.md §6): users, a user's threads, a thread's message keys, O(1) stats after
// deletes, the retention purge with zero TTLs physically removing soft-deleted items, and Prometheus
// metrics with per-route counters. The server keeps deleted items for 0s, so a purge takes them all.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Prg.EndToEnd.Tests;

public sealed class ZeroRetentionFixture : PrgFixture
{
    protected override string TopYaml => "retention:\n  enabled: false\n  mttl: 0s\n  tttl: 0s\n";
}

public sealed class AdminTests(ZeroRetentionFixture fixture) : IClassFixture<ZeroRetentionFixture>
{
    private ApiClient Api => fixture.Api;

    private async Task<(long Threads, long Messages)> StatsAsync()
    {
        var stats = await Api.StatsAsync();
        Assert.Equal(["messages", "threads"], stats.AsObject().Select(p => p.Key).Order());
        return (stats["threads"]!.GetValue<long>(), stats["messages"]!.GetValue<long>());
    }

    private async Task<int> PurgeAsync()
    {
        var (status, json, _) = await Api.SendAsync(HttpMethod.Post, "/admin/jobs/purge", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        Assert.Equal("done", json!["status"]!.GetValue<string>());
        return json["purged"]!.GetValue<int>();
    }

    [Fact]
    public async Task UsersThreadsAndMessageKeysAreListedAndPaginated()
    {
        var alice = PrgFixture.NewUser("alice");
        var bob = PrgFixture.NewUser("bob");
        var aliceThreads = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            aliceThreads.Add(await Api.CreateThreadAsync(alice, $"a{i}"));
        }
        var bobThread = await Api.CreateThreadAsync(bob, "b");
        var messages = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            messages.Add(await Api.PostMessageAsync(alice, aliceThreads[0], JsonValue.Create(i)!));
        }

        var users = await Api.GetOkAsync("/admin/users?limit=1000", key: PrgProcess.AdminKey);
        Assert.Equal(["pagination", "users"], users.AsObject().Select(p => p.Key).Order());
        var ids = ApiClient.KeysOf(users["users"]);
        Assert.Contains(alice, ids);
        Assert.Contains(bob, ids);
        Assert.True(ids.IndexOf(alice) < ids.IndexOf(bob), "users are listed in first-seen order");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Count, users["pagination"]!["total"]!.GetValue<int>());
        // Walk the user list one at a time with the anchors it returns.
        var page = await Api.GetOkAsync("/admin/users?limit=1", key: PrgProcess.AdminKey);
        var walked = ApiClient.KeysOf(page["users"]);
        while (page["pagination"]!["has_before"]!.GetValue<bool>())
        {
            page = await Api.GetOkAsync($"/admin/users?limit=1&before={Uri.EscapeDataString(page["pagination"]!["before_anchor"]!.GetValue<string>())}", key: PrgProcess.AdminKey);
            walked.InsertRange(0, ApiClient.KeysOf(page["users"]));
        }
        Assert.Equal(ids, walked);

        var threads = await Api.GetOkAsync($"/admin/users/{alice}/threads", key: PrgProcess.AdminKey);
        Assert.Equal(["pagination", "threads"], threads.AsObject().Select(p => p.Key).Order());
        Assert.Equal(Enumerable.Reverse(aliceThreads), ApiClient.KeysOf(threads["threads"]));
        Assert.Equal(3, threads["pagination"]!["total"]!.GetValue<int>());
        var firstTwo = await Api.GetOkAsync($"/admin/users/{alice}/threads?limit=2", key: PrgProcess.AdminKey);
        Assert.Equal([aliceThreads[2], aliceThreads[1]], ApiClient.KeysOf(firstTwo["threads"]));
        Assert.True(firstTwo["pagination"]!["has_after"]!.GetValue<bool>());
        Assert.Equal([bobThread], ApiClient.KeysOf((await Api.GetOkAsync($"/admin/users/{bob}/threads", key: PrgProcess.AdminKey))["threads"]));
        Assert.Empty((await Api.GetOkAsync($"/admin/users/{PrgFixture.NewUser("nobody")}/threads", key: PrgProcess.AdminKey))["threads"]!.AsArray());

        var keys = await Api.GetOkAsync($"/admin/users/{alice}/threads/{aliceThreads[0]}/messages", key: PrgProcess.AdminKey);
        Assert.Equal(["messages", "pagination"], keys.AsObject().Select(p => p.Key).Order());
        Assert.Equal(messages, ApiClient.KeysOf(keys["messages"]));
        var lastTwo = await Api.GetOkAsync($"/admin/users/{alice}/threads/{aliceThreads[0]}/messages?limit=2", key: PrgProcess.AdminKey);
        Assert.Equal(messages[3..], ApiClient.KeysOf(lastTwo["messages"]));
        var (status, json, _) = await Api.SendAsync(HttpMethod.Get, $"/admin/users/{bob}/threads/{aliceThreads[0]}/messages", key: PrgProcess.AdminKey);
        Assert.Equal(404, status);
        Assert.Equal("thread not found", json!["error"]!.GetValue<string>());

        // Deletions show in the admin listings at once.
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{aliceThreads[0]}/messages/{messages[1]}", user: alice)).Status);
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{aliceThreads[1]}", user: alice)).Status);
        keys = await Api.GetOkAsync($"/admin/users/{alice}/threads/{aliceThreads[0]}/messages", key: PrgProcess.AdminKey);
        Assert.Equal(messages.Where((_, i) => i != 1), ApiClient.KeysOf(keys["messages"]));
        Assert.Equal(4, keys["pagination"]!["total"]!.GetValue<int>());
        threads = await Api.GetOkAsync($"/admin/users/{alice}/threads", key: PrgProcess.AdminKey);
        Assert.Equal([aliceThreads[2], aliceThreads[0]], ApiClient.KeysOf(threads["threads"]));
        (status, _, _) = await Api.SendAsync(HttpMethod.Get, $"/admin/users/{alice}/threads/{aliceThreads[1]}/messages", key: PrgProcess.AdminKey);
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task StatsCountLiveItemsAndPurgeRemovesDeletedOnes()
    {
        await PurgeAsync();
        var start = await StatsAsync();
        var user = PrgFixture.NewUser("stats");
        var keep = await Api.CreateThreadAsync(user, "keep");
        var doomed = await Api.CreateThreadAsync(user, "doomed");
        var kept = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            kept.Add(await Api.PostMessageAsync(user, keep, JsonValue.Create(i)!));
        }
        for (var i = 0; i < 3; i++)
        {
            await Api.PostMessageAsync(user, doomed, JsonValue.Create(i)!);
        }
        Assert.Equal((start.Threads + 2, start.Messages + 7), await StatsAsync());

        // An edit keeps the count; deletes lower it, and a deleted thread takes its live messages with it.
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{keep}/messages/{kept[0]}", """{"body":"v2"}""", user: user)).Status);
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{keep}/messages/{kept[1]}", user: user)).Status);
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{keep}/messages/{kept[2]}", user: user)).Status);
        Assert.Equal((start.Threads + 2, start.Messages + 5), await StatsAsync());
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{doomed}", user: user)).Status);
        Assert.Equal((start.Threads + 1, start.Messages + 2), await StatsAsync());
        // A repeated delete changes nothing.
        Assert.Equal(404, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{doomed}", user: user)).Status);
        Assert.Equal(404, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{keep}/messages/{kept[1]}", user: user)).Status);
        Assert.Equal((start.Threads + 1, start.Messages + 2), await StatsAsync());

        // Two deleted messages and one deleted thread are physically removed; a second run finds nothing.
        Assert.Equal(3, await PurgeAsync());
        Assert.Equal(0, await PurgeAsync());
        Assert.Equal((start.Threads + 1, start.Messages + 2), await StatsAsync());

        // What is left is intact: the edited message with both versions, the untouched one.
        var list = await Api.GetOkAsync($"/v1/threads/{keep}/messages", user);
        Assert.Equal([kept[0], kept[3]], ApiClient.KeysOf(list["messages"]));
        Assert.Equal(2, (await Api.GetOkAsync($"/v1/threads/{keep}/messages/{kept[0]}/versions", user))["versions"]!.AsArray().Count);
        var keys = await Api.GetOkAsync($"/admin/users/{user}/threads/{keep}/messages", key: PrgProcess.AdminKey);
        Assert.Equal([kept[0], kept[3]], ApiClient.KeysOf(keys["messages"]));
        Assert.Equal([keep], ApiClient.KeysOf((await Api.GetOkAsync($"/admin/users/{user}/threads", key: PrgProcess.AdminKey))["threads"]));
        foreach (var gone in new[] { $"/v1/threads/{keep}/messages/{kept[1]}", $"/v1/threads/{keep}/messages/{kept[2]}/versions" })
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Get, gone, user: user);
            Assert.Equal(404, status);
            Assert.Equal("message not found", json!["error"]!.GetValue<string>());
        }
        var (threadStatus, threadJson, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{doomed}", user: user);
        Assert.Equal(404, threadStatus);
        Assert.Equal("thread not found", threadJson!["error"]!.GetValue<string>());

        // The metrics gauges agree with the stats.
        var metrics = await MetricsAsync("/metrics");
        Assert.Contains($"prg_threads {start.Threads + 1}\n", metrics);
        Assert.Contains($"prg_messages {start.Messages + 2}\n", metrics);

        // Storage figures: every acknowledged write was a commit made durable by some fsync.
        var commits = Gauge(metrics, "prg_storage_commits_total");
        var fsyncs = Gauge(metrics, "prg_storage_wal_fsyncs_total");
        Assert.True(commits >= 3, $"commits {commits}");
        Assert.InRange(fsyncs, 1, commits);
        Assert.Equal(0, Gauge(metrics, "prg_storage_maintenance_errors_total"));

        // The native binary recognises FASTER's hash and page tables (reflection survives trimming).
        Assert.Equal(2, Gauge(metrics, "prg_storage_page_prefetch"));
    }

    private static long Gauge(string metrics, string name)
    {
        var match = Regex.Match(metrics, $"^{name} (\\d+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} missing from /metrics");
        return long.Parse(match.Groups[1].Value);
    }

    private async Task<string> MetricsAsync(string path)
    {
        var (status, _, raw) = await Api.SendAsync(HttpMethod.Get, path, key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        Assert.Equal("text/plain", raw.Content.Headers.ContentType?.MediaType);
        return await raw.Content.ReadAsStringAsync();
    }

    private static long Counter(string metrics, string route, string statusClass)
    {
        var match = Regex.Match(metrics, $"^prg_http_requests_total\\{{route=\"{Regex.Escape(route)}\",status=\"{statusClass}\"\\}} (\\d+)$", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value) : 0;
    }

    [Fact]
    public async Task MetricsArePrometheusTextWithPerRouteCounters()
    {
        var user = PrgFixture.NewUser("metrics");
        var before = await MetricsAsync("/metrics");
        var thread = await Api.CreateThreadAsync(user, "m");
        await Api.CreateThreadAsync(user, "m2");
        for (var i = 0; i < 3; i++)
        {
            await Api.GetOkAsync($"/v1/threads/{thread}", user);
        }
        Assert.Equal(404, (await Api.SendAsync(HttpMethod.Get, "/v1/threads/missing-one", user: user)).Status);
        Assert.Equal(403, (await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: PrgFixture.NewUser())).Status);
        var after = await MetricsAsync("/admin/metrics");

        Assert.Equal(2, Counter(after, "POST /v1/threads", "2xx") - Counter(before, "POST /v1/threads", "2xx"));
        Assert.Equal(3, Counter(after, "GET /v1/threads/{t}", "2xx") - Counter(before, "GET /v1/threads/{t}", "2xx"));
        Assert.Equal(2, Counter(after, "GET /v1/threads/{t}", "4xx") - Counter(before, "GET /v1/threads/{t}", "4xx"));
        Assert.Equal(0, Counter(after, "POST /frontend/v1/threads", "2xx") - Counter(before, "POST /frontend/v1/threads", "2xx"));
        // The /metrics request that produced `before` is counted in `after`.
        Assert.True(Counter(after, "GET /metrics", "2xx") >= 1);

        Assert.Contains("# TYPE prg_http_requests_total counter", after);
        Assert.Contains("# TYPE prg_http_request_duration_seconds histogram", after);
        Assert.Matches(new Regex("^prg_http_request_duration_seconds_bucket\\{route=\"GET /v1/threads/\\{t\\}\",le=\"\\+Inf\"\\} \\d+$", RegexOptions.Multiline), after);
        Assert.Matches(new Regex("^prg_http_request_duration_seconds_count\\{route=\"GET /v1/threads/\\{t\\}\"\\} \\d+$", RegexOptions.Multiline), after);
        // Every sample line is "name{labels} value" or "name value".
        foreach (var line in after.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Assert.Matches("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\\})? (-?[0-9.]+([eE][+-]?[0-9]+)?|[+-]Inf|NaN)$", line);
        }
    }
}
