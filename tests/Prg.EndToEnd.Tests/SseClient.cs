// A server-sent-events reader for the feed tests: opens a feed over HttpClient (headers read, body
// streamed) and yields its events one at a time; comment lines (heartbeats) are counted, not returned.
using System.Net.Http.Headers;
using System.Text;

namespace Prg.EndToEnd.Tests;

public sealed record SseEvent(string? Id, string Type, string Data);

public sealed class SseClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpClient http, HttpResponseMessage response, StreamReader reader)
    {
        _http = http;
        _response = response;
        _reader = reader;
    }

    public int Status => (int)_response.StatusCode;

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public int Heartbeats { get; private set; }

    /// <summary>Opens <paramref name="path"/> as backend key for <paramref name="user"/> (no key when user is null).</summary>
    public static async Task<SseClient> OpenAsync(int port, string path, string? user, long? lastEventId = null)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PrgProcess.BackendKey);
            request.Headers.Add("X-User-ID", user);
        }
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        return new SseClient(http, response, reader);
    }

    /// <summary>The next event; null when the server ended the stream. Throws if none arrives in time.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        string? id = null, type = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token);
            if (line is null)
            {
                return null;
            }
            if (line.Length == 0)
            {
                if (type is null && data.Length == 0 && id is null)
                {
                    continue;
                }
                return new SseEvent(id, type ?? "message", data.ToString());
            }
            if (line[0] == ':')
            {
                Heartbeats++;
                continue;
            }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(value); break;
            }
        }
    }

    /// <summary>The body of an error answer (the feed was refused).</summary>
    public Task<string> ReadAllAsync() => _reader.ReadToEndAsync();

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
        _http.Dispose();
    }
}
