// Bounded pages over the wire: a page is cut by server.max_response_bytes as well as by limit, and the
// pagination hands back the anchor to continue from, so 100 KB messages asked for with limit=1000 come
// back as bounded responses and a walk with the anchors reaches every message exactly once. /versions
// is paginated the same way and keeps retention.max_versions_per_message versions.
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class SmallPagesFixture : PrgFixture
{
    public const int MaxResponseBytes = 1024 * 1024;

    protected override string ServerYaml => base.ServerYaml + $"  max_response_bytes: {MaxResponseBytes}\n";

    protected override string TopYaml => "retention:\n  max_versions_per_message: 3\n";
}

public sealed class BoundedPageTests(SmallPagesFixture fixture) : IClassFixture<SmallPagesFixture>
{
    private const int Messages = 25;
    private const int BodyChars = 100_000;

    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task HundredKilobyteMessagesComeInBoundedPagesAndAWalkReachesEachOnce()
    {
        var user = PrgFixture.NewUser("big");
        var thread = await Api.CreateThreadAsync(user, "big bodies");
        var posted = new List<string>();
        for (var i = 0; i < Messages; i++)
        {
            posted.Add(await Api.PostMessageAsync(user, thread, JsonValue.Create($"{i:D3}" + new string('x', BodyChars))!));
        }

        // Newest first, walking back with before=<before_anchor> until nothing is left.
        var seen = new List<string>();
        string? before = null;
        var pages = 0;
        while (true)
        {
            var path = $"/v1/threads/{thread}/messages?limit=1000" + (before is null ? "" : $"&before={before}");
            var (status, json, raw) = await Api.SendAsync(HttpMethod.Get, path, user: user);
            Assert.Equal(200, status);
            var length = (await raw.Content.ReadAsByteArrayAsync()).Length;
            Assert.True(length <= SmallPagesFixture.MaxResponseBytes, $"a page of {length} bytes passed the {SmallPagesFixture.MaxResponseBytes}-byte cap");
            var keys = ApiClient.KeysOf(json!["messages"]);
            Assert.NotEmpty(keys);
            Assert.True(keys.Count < Messages, "the byte cap did not cut a limit=1000 page");
            var pagination = json["pagination"]!;
            Assert.Equal(keys[0], pagination["before_anchor"]!.GetValue<string>());
            Assert.Equal(Messages, pagination["total"]!.GetValue<int>());
            seen.InsertRange(0, keys);
            pages++;
            if (!pagination["has_before"]!.GetValue<bool>())
            {
                break;
            }
            before = pagination["before_anchor"]!.GetValue<string>();
        }
        Assert.True(pages > 1);
        Assert.Equal(posted, seen);

        // And forward from the oldest with after=<after_anchor>.
        var forward = new List<string> { posted[0] };
        var after = posted[0];
        while (true)
        {
            var json = await Api.GetOkAsync($"/v1/threads/{thread}/messages?limit=1000&after={after}", user);
            forward.AddRange(ApiClient.KeysOf(json["messages"]));
            if (!json["pagination"]!["has_after"]!.GetValue<bool>())
            {
                break;
            }
            after = json["pagination"]!["after_anchor"]!.GetValue<string>();
        }
        Assert.Equal(posted, forward);
    }

    [Fact]
    public async Task VersionsArePaginatedAndCappedPerMessage()
    {
        var user = PrgFixture.NewUser("ver");
        var thread = await Api.CreateThreadAsync(user, "edits");
        var message = await Api.PostMessageAsync(user, thread, JsonValue.Create("v1")!);
        for (var v = 2; v <= 6; v++)
        {
            var (status, _, _) = await Api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}",
                new JsonObject { ["body"] = $"v{v}" }, user: user);
            Assert.Equal(200, status);
        }
        var path = $"/v1/threads/{thread}/messages/{message}/versions";

        // The cap keeps the newest three: 4, 5, 6.
        var all = await Api.GetOkAsync(path, user);
        Assert.Equal([4, 5, 6], all["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.Equal(["v4", "v5", "v6"], all["versions"]!.AsArray().Select(v => v!["body"]!.GetValue<string>()));
        Assert.False(all["pagination"]!["has_before"]!.GetValue<bool>());

        var newest = await Api.GetOkAsync(path + "?limit=2", user);
        Assert.Equal([5, 6], newest["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.True(newest["pagination"]!["has_before"]!.GetValue<bool>());
        Assert.Equal("5", newest["pagination"]!["before_anchor"]!.GetValue<string>());

        var older = await Api.GetOkAsync(path + "?limit=2&before=5", user);
        Assert.Equal([4], older["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.False(older["pagination"]!["has_before"]!.GetValue<bool>());
        Assert.True(older["pagination"]!["has_after"]!.GetValue<bool>());

        var (gone, error, _) = await Api.SendAsync(HttpMethod.Get, path + "?before=1", user: user);
        Assert.Equal(400, gone);
        Assert.Equal("invalid pagination: anchor not found", error!["error"]!.GetValue<string>());
    }
}
