// The inbox feed (/v1/events) and read state against the AOT binary: the user's thread changes, post
// summaries and read marks in order, resume by Last-Event-ID, the browser token path, and read marks
// that never move back with last_read/unread on thread reads and listings.
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class InboxFeedTests
{
    private static async Task<JsonNode> NextAsync(SseClient feed, string type)
    {
        var e = await feed.NextAsync() ?? throw new InvalidOperationException("the feed ended");
        Assert.Equal(type, e.Type);
        var json = JsonNode.Parse(e.Data)!;
        Assert.Equal(e.Id, json["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
        return json;
    }

    private static Task<(int Status, JsonNode? Json, HttpResponseMessage Raw)> MarkReadAsync(ApiClient api, string user, string thread, string upTo) =>
        api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/read", new JsonObject { ["up_to"] = upTo }, user: user);

    [Fact]
    public async Task TheInboxCarriesTheUsersThreadChangesPostSummariesAndReadMarksAndResumes()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        using (var feed = await SseClient.OpenAsync(prg.Port, "/v1/events", "alice"))
        {
            Assert.Equal(200, feed.Status);
            Assert.Equal("0", (await feed.NextAsync())!.Id); // ready: nothing yet
            await api.CreateThreadAsync("bob", "not alice's");
            var thread = await api.CreateThreadAsync("alice", "inbox");
            var created = await NextAsync(feed, "thread.created");
            Assert.Equal(("inbox", thread, 1L), (created["data"]!["title"]!.GetValue<string>(), created["thread"]!.GetValue<string>(), created["id"]!.GetValue<long>()));

            var first = await api.PostMessageAsync("alice", thread, new JsonObject { ["text"] = "one" });
            var summary = await NextAsync(feed, "message.created");
            Assert.Equal((first, thread), (summary["data"]!["key"]!.GetValue<string>(), summary["data"]!["thread"]!.GetValue<string>()));
            Assert.Null(summary["data"]!["body"]); // a summary, not the message

            var (status, read, _) = await MarkReadAsync(api, "alice", thread, first);
            Assert.Equal(200, status);
            Assert.Equal((first, 0), (read!["last_read"]!.GetValue<string>(), read["unread"]!.GetValue<int>()));
            Assert.Equal(first, (await NextAsync(feed, "read"))["data"]!["key"]!.GetValue<string>());

            Assert.Equal(200, (await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}", new JsonObject { ["title"] = "renamed" }, user: "alice")).Status);
            Assert.Equal("renamed", (await NextAsync(feed, "thread.updated"))["data"]!["title"]!.GetValue<string>());
            Assert.Equal(200, (await api.SendAsync(HttpMethod.Delete, $"/v1/threads/{thread}", user: "alice")).Status);
            Assert.Equal(5, (await NextAsync(feed, "thread.deleted"))["id"]!.GetValue<long>());
        }

        using (var resumed = await SseClient.OpenAsync(prg.Port, "/v1/events", "alice", lastEventId: 3))
        {
            Assert.Equal(4, (await NextAsync(resumed, "thread.updated"))["id"]!.GetValue<long>());
            Assert.Equal(5, (await NextAsync(resumed, "thread.deleted"))["id"]!.GetValue<long>());
        }
        var polled = (await api.GetOkAsync("/v1/events?after=1&wait=0", "alice")).AsArray();
        Assert.Equal(["message.created", "read", "thread.updated", "thread.deleted"], polled.Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TheReadMarkNeverMovesBackAndThreadReadsAndListingsCarryUnread()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("carol", "reading");
        var keys = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            keys.Add(await api.PostMessageAsync("carol", thread, new JsonObject { ["n"] = i }));
        }
        var fresh = (await api.GetOkAsync($"/v1/threads/{thread}", "carol"))["thread"]!;
        Assert.Null(fresh["last_read"]);
        Assert.Equal(4, fresh["unread"]!.GetValue<int>());

        Assert.Equal(200, (await MarkReadAsync(api, "carol", thread, keys[2])).Status);
        var (status, back, _) = await MarkReadAsync(api, "carol", thread, keys[0]);
        Assert.Equal(200, status);
        Assert.Equal((keys[2], 1), (back!["last_read"]!.GetValue<string>(), back["unread"]!.GetValue<int>()));
        var listed = (await api.GetOkAsync("/v1/threads", "carol"))["threads"]![0]!;
        Assert.Equal((keys[2], 1), (listed["last_read"]!.GetValue<string>(), listed["unread"]!.GetValue<int>()));

        Assert.Equal(404, (await MarkReadAsync(api, "carol", thread, "0000000000000000001-000000000099")).Status);
        Assert.Equal(403, (await MarkReadAsync(api, "mallory", thread, keys[3])).Status);
        Assert.Equal(400, (await api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/read", new JsonObject(), user: "carol")).Status);
    }

    [Fact]
    public async Task ABrowserOpensItsInboxWithAnInboxTokenAndAThreadTokenDoesNotOpenIt()
    {
        await using var prg = await PrgProcess.StartAsync();
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("erin", "mine");
        var (status, minted, _) = await api.SendAsync(HttpMethod.Post, "/v1/events/token", key: PrgProcess.FrontendKey, user: "erin", signed: true);
        Assert.Equal(201, status);
        Assert.StartsWith("/v1/events?token=", minted!["url"]!.GetValue<string>());
        using (var feed = await SseClient.OpenAsync(prg.Port, minted["url"]!.GetValue<string>() + "&after=0", user: null))
        {
            Assert.Equal(200, feed.Status);
            Assert.Equal(thread, (await NextAsync(feed, "thread.created"))["thread"]!.GetValue<string>());
        }
        var (_, threadToken, _) = await api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/events/token", user: "erin");
        using var refused = await SseClient.OpenAsync(prg.Port, "/v1/events?token=" + threadToken!["token"]!.GetValue<string>(), user: null);
        Assert.Equal(401, refused.Status);
    }
}
