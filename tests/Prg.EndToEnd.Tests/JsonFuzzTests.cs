// A seeded JSON fuzz of the write routes (thread create/update, message create/edit) against the AOT
// binary: no request ever gets a 5xx, and everything stored (every 2xx answer, every listing after)
// is read back by Python's json and JavaScript's JSON.parse.
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class JsonFuzzTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task FuzzedBodiesNeverGetA5xxAndWhatIsStoredParsesEverywhere()
    {
        var user = PrgFixture.NewUser("fuzz");
        var thread = await Api.CreateThreadAsync(user, "fuzz");
        var edited = await Api.PostMessageAsync(user, thread, JsonValue.Create("first")!);
        var routes = new (HttpMethod Method, string Path, string Field)[]
        {
            (HttpMethod.Post, "/v1/threads", "title"),
            (HttpMethod.Put, $"/v1/threads/{thread}", "title"),
            (HttpMethod.Post, $"/v1/threads/{thread}/messages", "body"),
            (HttpMethod.Put, $"/v1/threads/{thread}/messages/{edited}", "body"),
        };
        var mutator = new JsonMutator(seed: 10_26);
        var requests = Enumerable.Range(0, 2400).Select(i => (Route: routes[i % routes.Length], Body: mutator.Next(routes[i % routes.Length].Field))).ToList();

        var stored = new List<byte[]>();
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
        {
            var (status, _, raw) = await Api.SendAsync(request.Route.Method, request.Route.Path, request.Body, user: user);
            var answer = await raw.Content.ReadAsByteArrayAsync();
            lock (statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    failures.Add($"{request.Route.Method} {request.Route.Path} {Convert.ToBase64String(request.Body)}: {status} {System.Text.Encoding.UTF8.GetString(answer)}");
                }
                else if (status is >= 200 and < 300)
                {
                    stored.Add(answer);
                }
            }
        });
        Assert.True(failures.Count == 0, $"{failures.Count} answers were 5xx:\n" + string.Join("\n", failures.Take(10)));
        Assert.True(stored.Count > 100 && statuses.GetValueOrDefault(400) > 100, string.Join(", ", statuses));

        // Everything stored, read back the way clients read it: listings, the edited message's versions.
        foreach (var path in new[]
        {
            $"/v1/threads/{thread}/messages?limit=1000",
            "/v1/threads?limit=1000",
            $"/v1/threads/{thread}/messages/{edited}/versions",
            $"/v1/threads/{thread}",
        })
        {
            var (status, _, raw) = await Api.SendAsync(HttpMethod.Get, path, user: user);
            Assert.Equal(200, status);
            stored.Add(await raw.Content.ReadAsByteArrayAsync());
        }
        await JsonParsers.AssertAllReadableAsync(stored);
    }
}
