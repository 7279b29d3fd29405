// Pagination (spec/api.md §5) against a simple in-memory model: threads of 0, 1, 49, 50, 51 and 1000
// messages with deletions and edits sprinkled in, every live key used as before/after/anchor in both
// sort orders, full walks in both directions, the thread list (newest first) and admin key lists.
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class PaginationTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private const int Workers = 4;

    private ApiClient Api => fixture.Api;

    private sealed record Item(string Key, long CreatedTs, long UpdatedTs);

    /// <summary>What a page must be, computed from the full ordered list in display order.</summary>
    private static (List<string> Keys, bool HasBefore, bool HasAfter) Expected(IReadOnlyList<string> order, string mode, string? reference, int limit)
    {
        var n = order.Count;
        if (reference is null)
        {
            // Messages (oldest first) show the newest `limit` at the end; threads (newest first) the first `limit`.
            return mode == "tail"
                ? (order.Skip(Math.Max(0, n - limit)).ToList(), n > limit, false)
                : (order.Take(limit).ToList(), false, n > limit);
        }
        var i = order.ToList().IndexOf(reference);
        Assert.True(i >= 0, "the model has no " + reference);
        return mode switch
        {
            "before" => (order.Skip(Math.Max(0, i - limit)).Take(i - Math.Max(0, i - limit)).ToList(), i - limit > 0, true),
            "after" => (order.Skip(i + 1).Take(limit).ToList(), true, i + 1 + limit < n),
            "anchor" => (order.Skip(Math.Max(0, i - limit)).Take(Math.Min(n - 1, i + limit) - Math.Max(0, i - limit) + 1).ToList(), i - limit > 0, i + limit < n - 1),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
    }

    private static void AssertPage(JsonNode json, string arrayName, (List<string> Keys, bool HasBefore, bool HasAfter) expected, int total, string what)
    {
        var keys = ApiClient.KeysOf(json[arrayName]);
        var p = json["pagination"]!;
        Assert.True(expected.Keys.SequenceEqual(keys), $"{what}: expected [{string.Join(",", expected.Keys)}] got [{string.Join(",", keys)}]");
        Assert.True(expected.HasBefore == p["has_before"]!.GetValue<bool>(), $"{what}: has_before");
        Assert.True(expected.HasAfter == p["has_after"]!.GetValue<bool>(), $"{what}: has_after");
        Assert.Equal(keys.Count, p["count"]!.GetValue<int>());
        Assert.Equal(total, p["total"]!.GetValue<int>());
        Assert.Equal(keys.Count == 0 ? "" : keys[0], p["before_anchor"]!.GetValue<string>());
        Assert.Equal(keys.Count == 0 ? "" : keys[^1], p["after_anchor"]!.GetValue<string>());
    }

    private static async Task ForAllAsync<T>(IEnumerable<T> items, Func<T, Task> action, int workers = Workers)
    {
        using var gate = new SemaphoreSlim(workers);
        await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                await action(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>A thread with <paramref name="count"/> messages, every 7th deleted and every 5th edited.</summary>
    private async Task<(string User, string Thread, List<Item> Live)> BuildThreadAsync(int count, bool concurrent = false)
    {
        var user = PrgFixture.NewUser("pg");
        var thread = await Api.CreateThreadAsync(user, $"{count} messages");
        var created = new Item[count];
        await ForAllAsync(Enumerable.Range(0, count), async i =>
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", new JsonObject { ["body"] = i }, user: user);
            Assert.Equal(201, status);
            var m = json!["message"]!;
            created[i] = new Item(json["key"]!.GetValue<string>(), m["created_ts"]!.GetValue<long>(), m["updated_ts"]!.GetValue<long>());
        }, concurrent ? Workers : 1);
        var live = created.ToDictionary(m => m.Key);
        var byCreation = created.OrderBy(m => m.CreatedTs).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        var toDelete = byCreation.Where((_, i) => i % 7 == 3 || (count > 2 && i == count - 1)).ToList();
        await ForAllAsync(toDelete, async m =>
        {
            Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}/messages/{m.Key}", user: user)).Status);
        });
        foreach (var m in toDelete)
        {
            live.Remove(m.Key);
        }
        // Edits one at a time, so their updated_ts order is the order made here.
        foreach (var m in byCreation.Where((_, i) => i % 5 == 1 && live.ContainsKey(byCreation[i].Key)).Reverse())
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{m.Key}", new JsonObject { ["body"] = "edited" }, user: user);
            Assert.Equal(200, status);
            live[m.Key] = m with { UpdatedTs = json!["message"]!["updated_ts"]!.GetValue<long>() };
        }
        return (user, thread, live.Values.ToList());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(49)]
    [InlineData(50)]
    [InlineData(51)]
    [InlineData(1000)]
    public async Task MessagePagesMatchTheModelFromEveryAnchorInBothSortOrders(int count)
    {
        // The big thread is posted over several connections at once, which also checks that concurrent
        // posts are listed in timestamp order.
        var (user, thread, live) = await BuildThreadAsync(count, concurrent: count >= 1000);
        var orders = new Dictionary<string, List<string>>
        {
            ["created_ts"] = live.OrderBy(m => m.CreatedTs).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Key).ToList(),
            ["updated_ts"] = live.OrderBy(m => m.UpdatedTs).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Key).ToList(),
        };
        int[] limits = count >= 1000 ? [1, 50, 7, 1000] : [1, 2, 7, 50, 1000];
        var path = $"/v1/threads/{thread}/messages";

        foreach (var (sort, order) in orders)
        {
            var query = sort == "created_ts" ? "" : "&sort_by=updated_ts";
            foreach (var limit in limits)
            {
                var json = await Api.GetOkAsync($"{path}?limit={limit}{query}", user);
                AssertPage(json, "messages", Expected(order, "tail", null, limit), live.Count, $"{sort} default limit={limit}");
            }
            // Default limit is 50.
            AssertPage(await Api.GetOkAsync($"{path}?{query.TrimStart('&')}", user), "messages", Expected(order, "tail", null, 50), live.Count, $"{sort} default");

            var cases = order.SelectMany((key, i) => new[] { "before", "after", "anchor" }.Select(mode => (key, mode, limit: limits[(i + mode.Length) % limits.Length]))).ToList();
            await ForAllAsync(cases, async c =>
            {
                var json = await Api.GetOkAsync($"{path}?limit={c.limit}&{c.mode}={Uri.EscapeDataString(c.key)}{query}", user);
                AssertPage(json, "messages", Expected(order, c.mode, c.key, c.limit), live.Count, $"{sort} {c.mode}={c.key} limit={c.limit}");
            });

            // Walk back from the newest page to the oldest, then forward again, with the anchors each page gives.
            var walkLimit = count >= 1000 ? 50 : 10;
            var page = await Api.GetOkAsync($"{path}?limit={walkLimit}{query}", user);
            var backwards = ApiClient.KeysOf(page["messages"]);
            while (page["pagination"]!["has_before"]!.GetValue<bool>())
            {
                page = await Api.GetOkAsync($"{path}?limit={walkLimit}&before={Uri.EscapeDataString(page["pagination"]!["before_anchor"]!.GetValue<string>())}{query}", user);
                backwards.InsertRange(0, ApiClient.KeysOf(page["messages"]));
            }
            Assert.Equal(order, backwards);
            var forwards = ApiClient.KeysOf(page["messages"]);
            while (page["pagination"]!["has_after"]!.GetValue<bool>())
            {
                page = await Api.GetOkAsync($"{path}?limit={walkLimit}&after={Uri.EscapeDataString(page["pagination"]!["after_anchor"]!.GetValue<string>())}{query}", user);
                forwards.AddRange(ApiClient.KeysOf(page["messages"]));
            }
            Assert.Equal(order, forwards);
        }

        // Timestamps agree with the order the list is in.
        var all = await Api.GetOkAsync($"{path}?limit=1000", user);
        var created = all["messages"]!.AsArray().Select(m => m!["created_ts"]!.GetValue<long>()).ToList();
        Assert.Equal(created.Order(), created);

        // The admin view of the thread's message keys pages the same way.
        var admin = await Api.GetOkAsync($"/admin/users/{Uri.EscapeDataString(user)}/threads/{thread}/messages?limit=1000", key: PrgProcess.AdminKey);
        Assert.Equal(orders["created_ts"], ApiClient.KeysOf(admin["messages"]));
        Assert.Equal(live.Count, admin["pagination"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task ConcurrentPostsAreListedInTimestampOrderInBothSortOrders()
    {
        var (user, thread, _) = await BuildThreadAsync(300, concurrent: true);
        foreach (var sort in new[] { "created_ts", "updated_ts" })
        {
            var page = await Api.GetOkAsync($"/v1/threads/{thread}/messages?limit=1000&sort_by={sort}", user);
            var ts = page["messages"]!.AsArray().Select(m => m![sort]!.GetValue<long>()).ToList();
            Assert.True(ts.Order().SequenceEqual(ts), $"messages listed by {sort} are not in {sort} order");
        }
    }

    [Fact]
    public async Task DeletedOrForeignKeysAreRejectedAsAnchors()
    {
        var (user, thread, live) = await BuildThreadAsync(12);
        var other = await BuildThreadAsync(3);
        var all = await Api.GetOkAsync($"/v1/threads/{thread}/messages?limit=1000", user);
        Assert.Equal(live.Count, ApiClient.KeysOf(all["messages"]).Count);
        var deleted = (await Api.GetOkAsync($"/admin/users/{Uri.EscapeDataString(user)}/threads/{thread}/messages?limit=1000", key: PrgProcess.AdminKey))["messages"]!;
        Assert.Equal(live.Count, deleted.AsArray().Count);

        // A key from another thread, a made-up key and a deleted key are all "anchor not found".
        var deletedKey = await Api.PostMessageAsync(user, thread, JsonValue.Create("soon gone")!);
        Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}/messages/{deletedKey}", user: user)).Status);
        foreach (var reference in new[] { other.Live[0].Key, "0000000000000000001-000000000001", "garbage", deletedKey })
        {
            foreach (var mode in new[] { "before", "after", "anchor" })
            {
                var (status, json, _) = await Api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?{mode}={Uri.EscapeDataString(reference)}", user: user);
                Assert.Equal(400, status);
                Assert.Equal("invalid pagination: anchor not found", json!["error"]!.GetValue<string>());
            }
        }
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=-1")]
    [InlineData("limit=1001")]
    [InlineData("limit=abc")]
    [InlineData("limit=1.5")]
    [InlineData("limit=")]
    [InlineData("sort_by=title")]
    [InlineData("before=a&after=b")]
    [InlineData("before=a&anchor=b")]
    [InlineData("after=a&anchor=b")]
    public async Task InvalidPaginationParametersAre400(string query)
    {
        var user = PrgFixture.NewUser();
        var thread = await Api.CreateThreadAsync(user, "bad paging");
        foreach (var path in new[] { $"/v1/threads/{thread}/messages", "/v1/threads" })
        {
            var (status, json, _) = await Api.SendAsync(HttpMethod.Get, $"{path}?{query}", user: user);
            Assert.Equal(400, status);
            var error = json!["error"]!.GetValue<string>();
            Assert.StartsWith("invalid pagination: ", error);
            if (query.Contains('&'))
            {
                Assert.Equal("invalid pagination: only one of anchor, before, after can be specified", error);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(23)]
    public async Task ThreadListsAreNewestFirstAndPageFromEveryAnchor(int count)
    {
        var user = PrgFixture.NewUser("tl");
        var threads = new List<string>();
        for (var i = 0; i < count; i++)
        {
            threads.Add(await Api.CreateThreadAsync(user, $"t{i}"));
        }
        var deleted = threads.Where((_, i) => i % 6 == 2).ToList();
        foreach (var t in deleted)
        {
            Assert.Equal(200, (await Api.SendAsync(HttpMethod.Delete, $"/v1/threads/{t}", user: user)).Status);
        }
        var live = threads.Except(deleted).ToList();
        // Renaming moves a thread to the front of the updated_ts order.
        var renamed = live.Where((_, i) => i % 4 == 0).ToList();
        foreach (var t in renamed)
        {
            Assert.Equal(200, (await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{t}", """{"title":"renamed"}""", user: user)).Status);
        }
        var state = new List<(string Key, long Created, long Updated)>();
        foreach (var t in live)
        {
            var thread = (await Api.GetOkAsync($"/v1/threads/{t}", user))["thread"]!;
            state.Add((t, thread["created_ts"]!.GetValue<long>(), thread["updated_ts"]!.GetValue<long>()));
        }
        var orders = new Dictionary<string, List<string>>
        {
            ["created_ts"] = state.OrderByDescending(s => s.Created).Select(s => s.Key).ToList(),
            ["updated_ts"] = state.OrderByDescending(s => s.Updated).Select(s => s.Key).ToList(),
        };
        Assert.Equal(Enumerable.Reverse(live), orders["created_ts"]);

        foreach (var (sort, order) in orders)
        {
            var query = sort == "created_ts" ? "" : "&sort_by=updated_ts";
            foreach (var limit in new[] { 1, 3, 50 })
            {
                AssertPage(await Api.GetOkAsync($"/v1/threads?limit={limit}{query}", user), "threads", Expected(order, "head", null, limit), live.Count, $"{sort} limit={limit}");
                foreach (var key in order)
                {
                    foreach (var mode in new[] { "before", "after", "anchor" })
                    {
                        var json = await Api.GetOkAsync($"/v1/threads?limit={limit}&{mode}={key}{query}", user);
                        AssertPage(json, "threads", Expected(order, mode, key, limit), live.Count, $"{sort} {mode}={key} limit={limit}");
                    }
                }
            }
            // Walk from the newest to the oldest with after=, then back with before=.
            var page = await Api.GetOkAsync($"/v1/threads?limit=4{query}", user);
            var walked = ApiClient.KeysOf(page["threads"]);
            while (page["pagination"]!["has_after"]!.GetValue<bool>())
            {
                page = await Api.GetOkAsync($"/v1/threads?limit=4&after={page["pagination"]!["after_anchor"]!.GetValue<string>()}{query}", user);
                walked.AddRange(ApiClient.KeysOf(page["threads"]));
            }
            Assert.Equal(order, walked);
            var back = ApiClient.KeysOf(page["threads"]);
            while (page["pagination"]!["has_before"]!.GetValue<bool>())
            {
                page = await Api.GetOkAsync($"/v1/threads?limit=4&before={page["pagination"]!["before_anchor"]!.GetValue<string>()}{query}", user);
                back.InsertRange(0, ApiClient.KeysOf(page["threads"]));
            }
            Assert.Equal(order, back);
        }

        var admin = await Api.GetOkAsync($"/admin/users/{user}/threads?limit=1000", key: PrgProcess.AdminKey);
        if (count == 0)
        {
            Assert.Empty(admin["threads"]!.AsArray());
        }
        else
        {
            Assert.Equal(orders["created_ts"], ApiClient.KeysOf(admin["threads"]));
        }
        Assert.Equal(live.Count, admin["pagination"]!["total"]!.GetValue<int>());
    }
}
