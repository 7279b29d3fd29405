// A small JSON client for the ProgressDB routes, acting as a backend key for a given user (or as a
// frontend key with a signature), the way the official SDKs call the API.
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(int port)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public static string Sign(string user) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(PrgProcess.SigningKey), Encoding.UTF8.GetBytes(user)));

    public async Task<(int Status, JsonNode? Json, HttpResponseMessage Raw)> SendAsync(
        HttpMethod method, string path, object? body = null, string? key = PrgProcess.BackendKey, string? user = null, bool signed = false,
        IEnumerable<KeyValuePair<string, string>>? headers = null, string? contentType = "application/json; charset=utf-8")
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (user is not null)
        {
            request.Headers.Add("X-User-ID", user);
            if (signed)
            {
                request.Headers.Add("X-User-Signature", Sign(user));
            }
        }
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (body is not null)
        {
            // byte[] bodies go out as they are (invalid UTF-8 included); a null contentType sends none.
            request.Content = new ByteArrayContent(body as byte[] ?? Encoding.UTF8.GetBytes(body as string ?? ((JsonNode)body).ToJsonString()));
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        var response = await _http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType == "application/json";
        return ((int)response.StatusCode, content.Length == 0 || !isJson ? null : JsonNode.Parse(content), response);
    }

    public async Task<string> CreateThreadAsync(string user, string title)
    {
        var (status, json, _) = await SendAsync(HttpMethod.Post, "/v1/threads", new JsonObject { ["title"] = title }, user: user);
        Assert.Equal(201, status);
        return json!["key"]!.GetValue<string>();
    }

    public async Task<string> PostMessageAsync(string user, string thread, JsonNode body)
    {
        var (status, json, _) = await SendAsync(HttpMethod.Post, $"/v1/threads/{Uri.EscapeDataString(thread)}/messages", new JsonObject { ["body"] = body }, user: user);
        Assert.Equal(201, status);
        return json!["key"]!.GetValue<string>();
    }

    /// <summary>GET as a backend key acting for <paramref name="user"/>; asserts 200 and returns the JSON.</summary>
    public async Task<JsonNode> GetOkAsync(string path, string? user = null, string key = PrgProcess.BackendKey)
    {
        var (status, json, _) = await SendAsync(HttpMethod.Get, path, key: key, user: user);
        Assert.True(status == 200, $"GET {path}: expected 200, got {status}: {json?.ToJsonString()}");
        return json!;
    }

    /// <summary>The "key" of every object in a JSON array (or the strings themselves for key lists).</summary>
    public static List<string> KeysOf(JsonNode? array) =>
        array!.AsArray().Select(n => n is JsonValue v ? v.GetValue<string>() : n!["key"]!.GetValue<string>()).ToList();

    public async Task<JsonNode> StatsAsync() => await GetOkAsync("/admin/stats", key: PrgProcess.AdminKey);

    /// <summary>Live threads and messages server-wide (admin stats), to show a refused write stored nothing.</summary>
    public async Task<(long Threads, long Messages)> CountsAsync()
    {
        var stats = await StatsAsync();
        return (stats["threads"]!.GetValue<long>(), stats["messages"]!.GetValue<long>());
    }

    public void Dispose() => _http.Dispose();
}
