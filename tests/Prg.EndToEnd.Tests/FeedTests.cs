// Live thread feeds against the AOT binary: resume after a disconnect and after a restart with no gap
// or duplicate under concurrent writers, reset after retention, long-poll, slow-subscriber cut-off,
// ownership, the browser stream-token path, SIGTERM ending feeds cleanly, and live subscribers sharing
// one rendering of each event with resumers at older cursors.
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class FeedTests
{
    private static string Events(string thread) => $"/v1/threads/{Uri.EscapeDataString(thread)}/events";

    private static async Task<List<string>> PostConcurrentlyAsync(ApiClient api, string user, string thread, int writers, int each, string tag)
    {
        var keys = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<string>();
            for (var i = 0; i < each; i++)
            {
                mine.Add(await api.PostMessageAsync(user, thread, new JsonObject { ["text"] = $"{tag} {w}:{i}" }));
            }
            return mine;
        })));
        return keys.SelectMany(k => k).ToList();
    }

    /// <summary>Reads message.created events until <paramref name="count"/> more have arrived; returns them.</summary>
    private static async Task<List<SseEvent>> ReadMessagesAsync(SseClient feed, int count)
    {
        var events = new List<SseEvent>();
        while (events.Count < count)
        {
            var e = await feed.NextAsync() ?? throw new InvalidOperationException("the feed ended early");
            Assert.Equal("message.created", e.Type);
            events.Add(e);
        }
        return events;
    }

    private static string MessageKeyOf(SseEvent e) => JsonNode.Parse(e.Data)!["data"]!["key"]!.GetValue<string>();

    private static long IdOf(SseEvent e) => long.Parse(e.Id!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task AFeedResumesAfterADisconnectAndARestartWithNoGapOrDuplicateUnderConcurrentWriters()
    {
        var prg = await PrgProcess.StartAsync();
        var work = prg.WorkDir;
        var seen = new List<SseEvent>();
        var acked = new List<string>();
        string thread;
        using (var api = new ApiClient(prg.Port))
        {
            thread = await api.CreateThreadAsync("alice", "live");
            using (var feed = await SseClient.OpenAsync(prg.Port, Events(thread), "alice"))
            {
                Assert.Equal(200, feed.Status);
                Assert.Equal("text/event-stream", feed.ContentType);
                var ready = await feed.NextAsync();
                Assert.Equal(("ready", "0"), (ready!.Type, ready.Id));
                var writing = PostConcurrentlyAsync(api, "alice", thread, writers: 4, each: 15, "first");
                seen.AddRange(await ReadMessagesAsync(feed, 20));
                acked.AddRange(await writing);
            } // disconnect mid-stream
            using (var feed = await SseClient.OpenAsync(prg.Port, Events(thread), "alice", lastEventId: IdOf(seen[^1])))
            {
                seen.AddRange(await ReadMessagesAsync(feed, acked.Count - seen.Count));
            }
        }
        prg.Signal("TERM");
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        await using var restarted = await PrgProcess.StartAsync(workDir: work);
        using (var api = new ApiClient(restarted.Port))
        using (var feed = await SseClient.OpenAsync(restarted.Port, Events(thread) + "?after=" + IdOf(seen[^1]), "alice"))
        {
            var writing = PostConcurrentlyAsync(api, "alice", thread, writers: 4, each: 10, "second");
            seen.AddRange(await ReadMessagesAsync(feed, 40));
            acked.AddRange(await writing);
        }

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seen.Select(IdOf));
        Assert.Equal(acked.Order(StringComparer.Ordinal), seen.Select(MessageKeyOf).Order(StringComparer.Ordinal));
        var first = JsonNode.Parse(seen[0].Data)!;
        Assert.Equal(thread, first["thread"]!.GetValue<string>());
        Assert.StartsWith("first ", first["data"]!["body"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task LiveSubscribersShareOneRenderingAndResumersAtOlderCursorsStillGetEveryEventOnce()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("hana", "shared");
        await PostConcurrentlyAsync(api, "hana", thread, writers: 2, each: 10, "before");
        var live = new List<SseClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                live.Add(await SseClient.OpenAsync(prg.Port, Events(thread), "hana"));
                var ready = await live[^1].NextAsync();
                Assert.Equal(("ready", "20"), (ready!.Type, ready.Id));
            }
            var renderedBefore = await MetricAsync(api, "prg_feeds_events_rendered_total");
            var writing = PostConcurrentlyAsync(api, "hana", thread, writers: 4, each: 10, "live");
            var streams = await Task.WhenAll(live.Select(feed => ReadMessagesAsync(feed, 40)));
            var acked = (await writing).Order(StringComparer.Ordinal).ToList();
            foreach (var stream in streams)
            {
                Assert.Equal(Enumerable.Range(21, 40).Select(i => (long)i), stream.Select(IdOf));
                Assert.Equal(acked, stream.Select(MessageKeyOf).Order(StringComparer.Ordinal));
                Assert.Equal(streams[0].Select(e => e.Data), stream.Select(e => e.Data));
            }
            // Each event was read, decrypted and rendered once for all five subscribers.
            Assert.Equal(40, await MetricAsync(api, "prg_feeds_events_rendered_total") - renderedBefore);

            // Resuming at older cursors while writers go on: from the store, then onto the shared frames.
            var more = PostConcurrentlyAsync(api, "hana", thread, writers: 2, each: 10, "more");
            using var fromStart = await SseClient.OpenAsync(prg.Port, Events(thread), "hana", lastEventId: 0);
            using var fromMiddle = await SseClient.OpenAsync(prg.Port, Events(thread) + "?after=35", "hana");
            var all = await ReadMessagesAsync(fromStart, 80);
            var tail = await ReadMessagesAsync(fromMiddle, 45);
            await more;
            Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), all.Select(IdOf));
            Assert.Equal(Enumerable.Range(36, 45).Select(i => (long)i), tail.Select(IdOf));
            Assert.Equal(all.Skip(35).Select(e => e.Data), tail.Select(e => e.Data));
            var liveMore = await ReadMessagesAsync(live[0], 20);
            Assert.Equal(all.Skip(60).Select(e => e.Data), liveMore.Select(e => e.Data));

            // A long-poll answers the same events as the streams carry.
            var polled = (await api.GetOkAsync(Events(thread) + "?after=70&wait=0", "hana")).AsArray();
            Assert.Equal(10, polled.Count);
            for (var i = 0; i < polled.Count; i++)
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(all[70 + i].Data), polled[i]), $"long-poll event {71 + i} differs from the stream's");
            }
        }
        finally
        {
            live.ForEach(feed => feed.Dispose());
        }
    }

    [Fact]
    public async Task ACursorPastRetentionGetsAResetAndLongPollAnswersAtOnceOrAtTheTimeout()
    {
        await using var prg = await PrgProcess.StartAsync(topYaml: "feeds:\n  retention: 5\n");
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("carol", "retained");
        for (var i = 0; i < 12; i++)
        {
            await api.PostMessageAsync("carol", thread, new JsonObject { ["n"] = i });
        }

        using (var feed = await SseClient.OpenAsync(prg.Port, Events(thread), "carol", lastEventId: 2))
        {
            var reset = await feed.NextAsync();
            Assert.Equal(("reset", "12"), (reset!.Type, reset.Id));
        }
        var old = await api.GetOkAsync(Events(thread) + "?after=2&wait=0", "carol");
        Assert.Equal("reset", old[0]!["type"]!.GetValue<string>());
        Assert.Equal(12, old[0]!["id"]!.GetValue<long>());
        var kept = await api.GetOkAsync(Events(thread) + "?after=7&wait=0", "carol");
        Assert.Equal([8L, 9, 10, 11, 12], kept.AsArray().Select(e => e!["id"]!.GetValue<long>()));
        Assert.Equal(11, kept.AsArray()[^1]!["data"]!["body"]!["n"]!.GetValue<int>());
        Assert.Empty((await api.GetOkAsync(Events(thread) + "?after=12&wait=0", "carol")).AsArray());

        var waiting = api.GetOkAsync(Events(thread) + "?after=12&wait=30", "carol");
        var posted = await api.PostMessageAsync("carol", thread, new JsonObject { ["n"] = 12 });
        var answer = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(13, answer[0]!["id"]!.GetValue<long>());
        Assert.Equal(posted, answer[0]!["data"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task EventsCarryTheCurrentViewAndTheFeedEndsWithTheThreadsDeletion()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("dave", "before");
        using var feed = await SseClient.OpenAsync(prg.Port, Events(thread) + "?after=0", "dave");
        var message = await api.PostMessageAsync("dave", thread, new JsonObject { ["text"] = "v1" });
        var created = JsonNode.Parse((await feed.NextAsync())!.Data)!;
        Assert.Equal(("message.created", "v1", 1), (created["type"]!.GetValue<string>(), created["data"]!["body"]!["text"]!.GetValue<string>(), created["data"]!["version"]!.GetValue<int>()));
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", new JsonObject { ["body"] = new JsonObject { ["text"] = "v2" } }, user: "dave")).Status);
        var updated = JsonNode.Parse((await feed.NextAsync())!.Data)!;
        Assert.Equal(("message.updated", "v2", 2), (updated["type"]!.GetValue<string>(), updated["data"]!["body"]!["text"]!.GetValue<string>(), updated["data"]!["version"]!.GetValue<int>()));
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}/messages/{message}", user: "dave")).Status);
        var deleted = await feed.NextAsync();
        Assert.Equal(("message.deleted", "3"), (deleted!.Type, deleted.Id));
        Assert.Equal(message, JsonNode.Parse(deleted.Data)!["data"]!["key"]!.GetValue<string>());
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}", new JsonObject { ["title"] = "after" }, user: "dave")).Status);
        var retitled = JsonNode.Parse((await feed.NextAsync())!.Data)!;
        Assert.Equal(("thread.updated", "after"), (retitled["type"]!.GetValue<string>(), retitled["data"]!["title"]!.GetValue<string>()));
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}", user: "dave")).Status);
        Assert.Equal("thread.deleted", (await feed.NextAsync())!.Type);
        Assert.Null(await feed.NextAsync());
        Assert.Equal(404, (await api.SendAsync(HttpMethod.Get, Events(thread) + "?after=0&wait=0", user: "dave")).Status);
    }

    [Fact]
    public async Task AnotherUsersThreadAMissingThreadAndNoCredentialsAreRefused()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("alice", "private");
        using (var feed = await SseClient.OpenAsync(prg.Port, Events(thread), "mallory"))
        {
            Assert.Equal(403, feed.Status);
            Assert.Contains("access denied", await feed.ReadAllAsync());
        }
        Assert.Equal(403, (await api.SendAsync(HttpMethod.Get, Events(thread) + "?wait=0", user: "mallory")).Status);
        Assert.Equal(404, (await api.SendAsync(HttpMethod.Get, Events("no-such-thread") + "?wait=0", user: "alice")).Status);
        using (var feed = await SseClient.OpenAsync(prg.Port, Events(thread), user: null))
        {
            Assert.Equal(401, feed.Status);
        }
        Assert.Equal(400, (await api.SendAsync(HttpMethod.Get, Events(thread) + "?after=-1", user: "alice")).Status);
        Assert.Equal(400, (await api.SendAsync(HttpMethod.Get, Events(thread) + "?wait=61", user: "alice")).Status);
    }

    [Fact]
    public async Task ABrowserOpensItsFeedWithAShortLivedTokenForThatThreadOnly()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("erin", "browser");
        var other = await api.CreateThreadAsync("erin", "other");
        var (status, minted, _) = await api.SendAsync(HttpMethod.Post, Events(thread) + "/token", key: PrgProcess.FrontendKey, user: "erin", signed: true);
        Assert.Equal(201, status);
        var token = minted!["token"]!.GetValue<string>();
        Assert.Equal(60, minted["expires_in"]!.GetValue<int>());
        Assert.Equal($"/v1/threads/{thread}/events?token={token}", minted["url"]!.GetValue<string>());

        using (var feed = await SseClient.OpenAsync(prg.Port, minted["url"]!.GetValue<string>(), user: null))
        {
            Assert.Equal(200, feed.Status);
            Assert.Equal("ready", (await feed.NextAsync())!.Type);
            var posted = await api.PostMessageAsync("erin", thread, new JsonObject { ["text"] = "to the browser" });
            Assert.Equal(posted, MessageKeyOf((await feed.NextAsync())!));
        }
        using (var wrongThread = await SseClient.OpenAsync(prg.Port, Events(other) + "?token=" + token, user: null))
        {
            Assert.Equal(401, wrongThread.Status);
        }
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        using (var forged = await SseClient.OpenAsync(prg.Port, Events(thread) + "?token=" + tampered, user: null))
        {
            Assert.Equal(401, forged.Status);
        }
        // Minting needs the usual credentials, and only the owner gets one.
        Assert.Equal(401, (await api.SendAsync(HttpMethod.Post, Events(thread) + "/token", key: null)).Status);
        Assert.Equal(403, (await api.SendAsync(HttpMethod.Post, Events(thread) + "/token", user: "mallory")).Status);
    }

    [Fact]
    public async Task ASubscriberThatDoesNotReadIsCutOffAndResumesWithLastEventId()
    {
        await using var prg = await PrgProcess.StartAsync(serverYaml: "  write_timeout: 5m\n", topYaml: "feeds:\n  subscriber_buffer: 64KB\n");
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("frank", "firehose");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", prg.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET {Events(thread)}?after=0 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {PrgProcess.BackendKey}\r\nX-User-ID: frank\r\n\r\n"));
        await WaitForMetricAsync(api, "prg_feeds_open", v => v == 1);

        var big = new string('x', 60_000);
        var posted = 0;
        while (await MetricAsync(api, "prg_feeds_cut_off_total") < 1)
        {
            Assert.True(posted < 2_000, "the subscriber was never cut off");
            await api.PostMessageAsync("frank", thread, new JsonObject { ["text"] = big });
            posted++;
        }
        await WaitForMetricAsync(api, "prg_feeds_open", v => v == 0);

        // The client resumes from the last event it has (none here) and gets everything.
        using var feed = await SseClient.OpenAsync(prg.Port, Events(thread), "frank", lastEventId: 0);
        var events = await ReadMessagesAsync(feed, posted);
        Assert.Equal(Enumerable.Range(1, posted).Select(i => (long)i), events.Select(IdOf));
    }

    [Fact]
    public async Task SigtermEndsOpenFeedsCleanlyAndTheServerExits()
    {
        var prg = await PrgProcess.StartAsync(topYaml: "feeds:\n  heartbeat: 200ms\n");
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("gina", "shutdown");
        using var feed = await SseClient.OpenAsync(prg.Port, Events(thread), "gina");
        Assert.Equal("ready", (await feed.NextAsync())!.Type);
        await WaitForMetricAsync(api, "prg_feeds_open", v => v == 1);
        var heartbeatDeadline = DateTime.UtcNow.AddSeconds(20);
        var next = feed.NextAsync(TimeSpan.FromSeconds(30));
        while (feed.Heartbeats == 0)
        {
            Assert.True(DateTime.UtcNow < heartbeatDeadline, "no heartbeat on an idle feed");
            await Task.Delay(20);
        }

        prg.Signal("TERM");
        Assert.Null(await next); // the stream ends (terminal chunk), not a reset connection
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await prg.DisposeAsync();
    }

    private static async Task<double> MetricAsync(ApiClient api, string name)
    {
        var (status, _, raw) = await api.SendAsync(HttpMethod.Get, "/metrics", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        var text = await raw.Content.ReadAsStringAsync();
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task WaitForMetricAsync(ApiClient api, string name, Func<double, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition(await MetricAsync(api, name)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never reached the expected value");
            await Task.Delay(50);
        }
    }
}
