// The HTTP client of the operations commands (backup, export, import): one keep-alive connection pool
// to a running prg (or ProgressDB), an API key, and errors turned into one line naming the request.
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Prg.Commands;

public sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;

    public ApiClient(string url, string apiKey)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out Uri? baseUri) || (baseUri.Scheme != "http" && baseUri.Scheme != "https"))
        {
            throw new UsageException($"'{url}' is not an http:// or https:// URL");
        }

        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = baseUri,
            Timeout = RequestTimeout,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>Sends a request and returns the response body; a non-2xx status throws <see cref="ApiCallException"/>.</summary>
    public async Task<byte[]> SendAsync(HttpMethod method, string path, byte[]? jsonBody = null, string? userId = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (jsonBody is not null)
        {
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        if (userId is not null)
        {
            request.Headers.Add("X-User-ID", userId);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new ApiCallException(0, $"{method} {path}: {e.Message}");
        }
        using (response)
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiCallException((int)response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {ErrorText(body, response.StatusCode)}");
            }

            return body;
        }
    }

    /// <summary>Sends a request and parses the JSON response.</summary>
    public async Task<JsonDocument> SendJsonAsync(HttpMethod method, string path, byte[]? jsonBody = null, string? userId = null, CancellationToken ct = default)
    {
        byte[] body = await SendAsync(method, path, jsonBody, userId, ct).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ApiCallException(0, $"{method} {path}: the response is not JSON ({e.Message})");
        }
    }

    private static string ErrorText(byte[] body, HttpStatusCode status)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out JsonElement error))
            {
                return error.ToString();
            }
        }
        catch (JsonException)
        {
            // not the API's error shape: fall through
        }
        return status.ToString();
    }

    public void Dispose() => _http.Dispose();
}
