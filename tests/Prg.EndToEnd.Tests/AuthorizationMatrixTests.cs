// The authorization matrix of spec/api.md §2 and §4, generated as a table: every route × {no key, admin,
// backend, frontend with a valid signature, frontend with an invalid signature} × {owner, other user,
// missing resource} → expected status and error. Each row gets fresh threads, and a refused write must
// leave the other user's data untouched.
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public enum KeyKind
{
    NoKey,
    Admin,
    Backend,
    FrontendSigned,
    FrontendBadSignature,
}

public enum Resource
{
    Owner,
    OtherUser,
    Missing,
}

public sealed record MatrixRoute(string Method, string Path, string Scope, int Success, string? Body);

public sealed class AuthorizationMatrixTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private const string MissingThread = "no-such-thread";
    private const string MissingMessage = "0000000000000000001-000000000009";

    private static readonly MatrixRoute[] Routes = BuildRoutes();

    private static MatrixRoute[] BuildRoutes()
    {
        var routes = new List<MatrixRoute>
        {
            new("GET", "/healthz", "public", 200, null),
            new("GET", "/readyz", "public", 200, null),
            new("POST", "/backend/v1/sign", "backend", 200, """{"userId":"alice"}"""),
        };
        foreach (var prefix in new[] { "/frontend/v1", "/v1" })
        {
            routes.AddRange(
            [
                new("POST", prefix + "/threads", "user", 201, """{"title":"new"}"""),
                new("GET", prefix + "/threads", "user", 200, null),
                new("GET", prefix + "/threads/{t}", "user", 200, null),
                new("PUT", prefix + "/threads/{t}", "user", 200, """{"title":"changed"}"""),
                new("DELETE", prefix + "/threads/{t}", "user", 200, null),
                new("POST", prefix + "/threads/{t}/messages", "user", 201, """{"body":{"text":"new"}}"""),
                new("GET", prefix + "/threads/{t}/messages", "user", 200, null),
                new("GET", prefix + "/threads/{t}/messages/{m}", "user", 200, null),
                new("PUT", prefix + "/threads/{t}/messages/{m}", "user", 200, """{"body":{"text":"changed"}}"""),
                new("DELETE", prefix + "/threads/{t}/messages/{m}", "user", 200, null),
                new("GET", prefix + "/threads/{t}/messages/{m}/versions", "user", 200, null),
            ]);
        }
        routes.AddRange(
        [
            new("GET", "/admin/health", "admin", 200, null),
            new("GET", "/admin/stats", "admin", 200, null),
            new("GET", "/admin/users", "admin", 200, null),
            new("GET", "/admin/users/{u}/threads", "admin", 200, null),
            new("GET", "/admin/users/{u}/threads/{t}/messages", "admin", 200, null),
            new("POST", "/admin/jobs/purge", "admin", 200, null),
            new("GET", "/admin/metrics", "admin", 200, null),
            new("GET", "/metrics", "admin", 200, null),
        ]);
        return [.. routes];
    }

    /// <summary>The table: the expected status and error (null for a success) of each combination.</summary>
    public static (int Status, string? Error) Expected(MatrixRoute route, KeyKind keyKind, Resource resource)
    {
        if (route.Scope == "public")
        {
            return (200, null);
        }
        if (keyKind == KeyKind.NoKey)
        {
            return (401, "unauthorized");
        }
        switch (route.Scope)
        {
            case "admin":
                if (keyKind != KeyKind.Admin)
                {
                    return (403, "forbidden");
                }
                // A thread listed under a user who does not own it, or that does not exist, is not found.
                return route.Path.Contains("{t}") && resource != Resource.Owner ? (404, "thread not found") : (200, null);
            case "backend":
                return keyKind == KeyKind.Backend ? (200, null) : (403, "forbidden");
        }
        switch (keyKind)
        {
            case KeyKind.Admin:
                return (403, "forbidden");
            case KeyKind.FrontendBadSignature:
                return (401, "invalid signature");
        }
        if (!route.Path.Contains("{t}"))
        {
            return (route.Success, null);
        }
        return resource switch
        {
            Resource.Owner => (route.Success, null),
            Resource.OtherUser => (403, "access denied"),
            _ => (404, route.Path.Contains("{m}") ? "message not found" : "thread not found"),
        };
    }

    public static TheoryData<string, string, KeyKind, Resource> Table()
    {
        var data = new TheoryData<string, string, KeyKind, Resource>();
        foreach (var route in Routes)
        {
            foreach (var keyKind in Enum.GetValues<KeyKind>())
            {
                foreach (var resource in Enum.GetValues<Resource>())
                {
                    data.Add(route.Method, route.Path, keyKind, resource);
                }
            }
        }
        return data;
    }

    [Fact]
    public void TheTableCoversEveryRouteKeyAndResource()
    {
        Assert.Equal(Routes.Length * 5 * 3, Table().Count);
        Assert.Equal(22, Routes.Count(r => r.Scope == "user"));
        Assert.Equal(8, Routes.Count(r => r.Scope == "admin"));
        // Spot checks of the table itself, so a wrong rule cannot pass silently.
        var get = Routes.Single(r => r.Method == "GET" && r.Path == "/v1/threads/{t}/messages/{m}");
        Assert.Equal((404, "message not found"), Expected(get, KeyKind.FrontendSigned, Resource.Missing));
        Assert.Equal((403, "access denied"), Expected(get, KeyKind.Backend, Resource.OtherUser));
        Assert.Equal((401, "invalid signature"), Expected(get, KeyKind.FrontendBadSignature, Resource.Owner));
        Assert.Equal((403, "forbidden"), Expected(get, KeyKind.Admin, Resource.Owner));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task RouteAnswersAsTheTableSays(string method, string pathTemplate, KeyKind keyKind, Resource resource)
    {
        var route = Routes.Single(r => r.Method == method && r.Path == pathTemplate);
        var (expectedStatus, expectedError) = Expected(route, keyKind, resource);
        var api = fixture.Api;

        var owner = PrgFixture.NewUser("own");
        var other = PrgFixture.NewUser("oth");
        string? ownThread = null, ownMessage = null, otherThread = null, otherMessage = null;
        if (pathTemplate.Contains('{'))
        {
            ownThread = await api.CreateThreadAsync(owner, "mine");
            ownMessage = await api.PostMessageAsync(owner, ownThread, new JsonObject { ["text"] = "mine" });
            otherThread = await api.CreateThreadAsync(other, "theirs");
            otherMessage = await api.PostMessageAsync(other, otherThread, new JsonObject { ["text"] = "theirs" });
        }
        var (t, m, u) = resource switch
        {
            Resource.Owner => (ownThread, ownMessage, owner),
            Resource.OtherUser => (otherThread, otherMessage, pathTemplate.StartsWith("/admin/users/{u}/threads/{t}", StringComparison.Ordinal) ? owner : other),
            _ => (pathTemplate.Contains("{m}") ? ownThread : MissingThread, MissingMessage, PrgFixture.NewUser("nobody")),
        };
        var path = pathTemplate.Replace("{t}", t).Replace("{m}", m).Replace("{u}", u);

        var headers = new List<KeyValuePair<string, string>>();
        var key = keyKind switch
        {
            KeyKind.Admin => PrgProcess.AdminKey,
            KeyKind.Backend => PrgProcess.BackendKey,
            KeyKind.FrontendSigned or KeyKind.FrontendBadSignature => PrgProcess.FrontendKey,
            _ => null,
        };
        if (keyKind == KeyKind.FrontendBadSignature)
        {
            headers.Add(new("X-User-Signature", ApiClient.Sign(owner + "-not")));
        }
        var (status, json, raw) = await api.SendAsync(new HttpMethod(method), path, route.Body, key, owner, signed: keyKind == KeyKind.FrontendSigned, headers: headers);

        Assert.True(status == expectedStatus, $"{method} {path} as {keyKind} on {resource}: expected {expectedStatus}, got {status}: {json?.ToJsonString()}");
        if (expectedError is not null)
        {
            Assert.Equal(expectedError, json!["error"]!.GetValue<string>());
        }
        else if (route.Path.EndsWith("metrics", StringComparison.Ordinal))
        {
            Assert.Equal("text/plain", raw.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            Assert.Null(json!["error"]);
        }

        // Whatever was refused left the other user's thread and message as they were.
        if (otherThread is not null)
        {
            var thread = await api.GetOkAsync($"/v1/threads/{otherThread}", other);
            Assert.Equal("theirs", thread["thread"]!["title"]!.GetValue<string>());
            var message = await api.GetOkAsync($"/v1/threads/{otherThread}/messages/{otherMessage}", other);
            Assert.Equal(1, message["message"]!["version"]!.GetValue<int>());
            var list = await api.GetOkAsync($"/v1/threads/{otherThread}/messages", other);
            Assert.Equal([otherMessage!], ApiClient.KeysOf(list["messages"]));
        }
        if (ownThread is not null && expectedStatus >= 400 && method != "GET")
        {
            var thread = await api.GetOkAsync($"/v1/threads/{ownThread}", owner);
            Assert.Equal("mine", thread["thread"]!["title"]!.GetValue<string>());
            var list = await api.GetOkAsync($"/v1/threads/{ownThread}/messages", owner);
            Assert.Equal([ownMessage!], ApiClient.KeysOf(list["messages"]));
            Assert.Equal(1, list["messages"]![0]!["version"]!.GetValue<int>());
        }
    }
}
