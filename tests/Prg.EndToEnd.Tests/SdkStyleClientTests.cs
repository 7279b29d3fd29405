// A client that behaves like the official ProgressDB TypeScript SDK: a frontend key in X-API-Key, the user
// id and a backend-issued signature in headers, JSON bodies, any 2xx taken as success, and every read
// issued immediately after the write it depends on. No sleeps, no polling: writes must be readable at once.
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class SdkStyleClientTests(PrgFixture fixture) : IClassFixture<PrgFixture>
{
    /// <summary>The SDK's request shape: fetch(baseUrl + path, {method, headers, body}) and res.ok.</summary>
    private sealed class FrontendSdk(HttpClient http, string userId, string signature)
    {
        public async Task<JsonNode> CallAsync(HttpMethod method, string path, JsonNode? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-API-Key", PrgProcess.FrontendKey);
            request.Headers.Add("X-User-ID", userId);
            request.Headers.Add("X-User-Signature", signature);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text)!;
        }

        public async Task<string> CreateThreadAsync(string title) =>
            (await CallAsync(HttpMethod.Post, "/v1/threads", new JsonObject { ["title"] = title }))["key"]!.GetValue<string>();

        public async Task<JsonNode> GetThreadAsync(string thread) => (await CallAsync(HttpMethod.Get, $"/v1/threads/{thread}"))["thread"]!;

        public async Task<string> CreateMessageAsync(string thread, JsonNode body) =>
            (await CallAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", new JsonObject { ["body"] = body }))["key"]!.GetValue<string>();

        public async Task<JsonNode> GetMessageAsync(string thread, string key) => (await CallAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{key}"))["message"]!;

        public Task<JsonNode> ListMessagesAsync(string thread, string query) => CallAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?{query}");

        public Task<JsonNode> ListThreadsAsync(string query) => CallAsync(HttpMethod.Get, $"/v1/threads?{query}");
    }

    private async Task<FrontendSdk> ConnectAsync(HttpClient http, string user)
    {
        // The app's backend asks prg to sign the user, then hands the signature to the browser.
        var (status, json, _) = await fixture.Api.SendAsync(HttpMethod.Post, "/backend/v1/sign", new JsonObject { ["userId"] = user });
        Assert.Equal(200, status);
        return new FrontendSdk(http, user, json!["signature"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateThenReadAtOnceSucceedsForManyConcurrentUsers()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Prg.Port}") };
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async u =>
        {
            var sdk = await ConnectAsync(http, $"sdk{u}-{Guid.NewGuid():N}"[..20]);
            var thread = await sdk.CreateThreadAsync($"chat {u}");
            Assert.Equal($"chat {u}", (await sdk.GetThreadAsync(thread))["title"]!.GetValue<string>());
            var keys = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                var key = await sdk.CreateMessageAsync(thread, new JsonObject { ["text"] = $"m{i}" });
                keys.Add(key);
                Assert.Equal($"m{i}", (await sdk.GetMessageAsync(thread, key))["body"]!["text"]!.GetValue<string>());
                var latest = await sdk.ListMessagesAsync(thread, "limit=1");
                Assert.Equal([key], ApiClient.KeysOf(latest["messages"]));
                Assert.Equal(i + 1, latest["pagination"]!["total"]!.GetValue<int>());
            }
            var edited = await sdk.CallAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{keys[5]}", new JsonObject { ["body"] = new JsonObject { ["text"] = "edited" } });
            Assert.Equal(2, edited["message"]!["version"]!.GetValue<int>());
            Assert.Equal("edited", (await sdk.GetMessageAsync(thread, keys[5]))["body"]!["text"]!.GetValue<string>());
            await sdk.CallAsync(HttpMethod.Delete, $"/v1/threads/{thread}/messages/{keys[6]}");
            var all = await sdk.ListMessagesAsync(thread, "limit=100");
            Assert.DoesNotContain(keys[6], ApiClient.KeysOf(all["messages"]));

            // Infinite scroll upwards: each request uses the previous page's before_anchor.
            var page = await sdk.ListMessagesAsync(thread, "limit=6");
            var seen = ApiClient.KeysOf(page["messages"]);
            while (page["pagination"]!["has_before"]!.GetValue<bool>())
            {
                page = await sdk.ListMessagesAsync(thread, $"limit=6&before={page["pagination"]!["before_anchor"]!.GetValue<string>()}");
                seen.InsertRange(0, ApiClient.KeysOf(page["messages"]));
            }
            Assert.Equal(keys.Where((_, i) => i != 6), seen);
        }));
    }

    [Fact]
    public async Task ThreadListScrollsWithAnchorsAndSeesNewThreadsAtOnce()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Prg.Port}") };
        var sdk = await ConnectAsync(http, PrgFixture.NewUser("sdk"));
        var created = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            created.Add(await sdk.CreateThreadAsync($"t{i}"));
            var newest = await sdk.ListThreadsAsync("limit=1");
            Assert.Equal([created[^1]], ApiClient.KeysOf(newest["threads"]));
        }
        var page = await sdk.ListThreadsAsync("limit=5");
        var seen = ApiClient.KeysOf(page["threads"]);
        while (page["pagination"]!["has_after"]!.GetValue<bool>())
        {
            page = await sdk.ListThreadsAsync($"limit=5&after={page["pagination"]!["after_anchor"]!.GetValue<string>()}");
            seen.AddRange(ApiClient.KeysOf(page["threads"]));
        }
        Assert.Equal(Enumerable.Reverse(created), seen);
    }
}
