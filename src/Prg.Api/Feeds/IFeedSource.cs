// What EventStream and the long-poll need from a feed: read events by position, load what each one
// shows, and whether an event ends the feed. One per feed kind: a thread's, or a user's inbox.
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal interface IFeedSource
{
    /// <summary>The thread of a thread feed (named in ready/reset frames); null for an inbox.</summary>
    string? ThreadId { get; }

    FeedRead Read(long after, long durable, int max);

    /// <summary>Reads and decrypts what the event shows; null when the feed has ended (its thread is gone).</summary>
    ValueTask<EventData?> LoadAsync(ChatEvent e, CancellationToken ct);

    /// <summary>True for the last event a feed can have (a thread feed's thread.deleted).</summary>
    bool EndsWith(ChatEvent e);
}
