// What a feed request asks for: where to resume (Last-Event-ID, else ?after=; none: from now), and
// whether it is a long-poll (?wait=seconds, or Accept: application/json) or an event stream.
using System.Globalization;
using Prg.Api.Http;
using Prg.Http;

namespace Prg.Api.Feeds;

internal readonly record struct FeedQuery(long? After, TimeSpan? Wait)
{
    public const int MaxWaitSeconds = 60;
    private const int DefaultWaitSeconds = 30;

    public static FeedQuery Parse(HttpRequest request)
    {
        long? after = null;
        // EventSource reconnects to the same URL with Last-Event-ID: the header is the newer cursor.
        if (request.GetHeaderString("last-event-id"u8) is { Length: > 0 } lastEventId)
        {
            after = Position(lastEventId, "Last-Event-ID");
        }
        else if (Get(request, "after"u8) is { } text)
        {
            after = Position(text, "after");
        }
        TimeSpan? wait = null;
        if (Get(request, "wait"u8) is { } waitText)
        {
            if (!int.TryParse(waitText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxWaitSeconds)
            {
                throw ApiException.BadRequest($"invalid wait: expected 0 to {MaxWaitSeconds} seconds");
            }
            wait = TimeSpan.FromSeconds(seconds);
        }
        else if (WantsJson(request))
        {
            wait = TimeSpan.FromSeconds(DefaultWaitSeconds);
        }
        return new FeedQuery(after, wait);
    }

    private static string? Get(HttpRequest request, ReadOnlySpan<byte> name) =>
        QueryParameter.TryGet(request, name, out var value) ? value
            : throw ApiException.BadRequest($"query parameter {System.Text.Encoding.ASCII.GetString(name)} is not valid UTF-8");

    private static long Position(string text, string name) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            ? position
            : throw ApiException.BadRequest($"invalid {name}: expected an event id (a non-negative integer)");

    private static bool WantsJson(HttpRequest request) =>
        request.GetHeaderString("accept"u8) is { } accept
        && accept.Contains("application/json", StringComparison.OrdinalIgnoreCase)
        && !accept.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
}
