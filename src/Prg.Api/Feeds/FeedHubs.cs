// The feeds that have subscribers, each with its one FeedHub: the first subscriber of a feed creates it,
// the last one to leave disposes it (its store subscription and render loop end with it).
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal sealed class FeedHubs(FeedServices feeds)
{
    /// <summary>Frames a hub keeps for its subscribers at most (also bounded by feeds.subscriber_buffer bytes).</summary>
    private const int RingFrames = 256;

    private readonly Dictionary<string, FeedHub> _hubs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The hub of the feed named <paramref name="key"/>, created with <paramref name="source"/> if it has none; Release it when done.</summary>
    public FeedHub Acquire(string key, IFeedSource source, Func<Action, FeedSubscription> subscribe)
    {
        lock (_lock)
        {
            if (!_hubs.TryGetValue(key, out var hub))
            {
                hub = new FeedHub(key, source, subscribe, RingFrames, feeds.Config.SubscriberBuffer, feeds.Config.Coalesce, feeds.Registry);
                _hubs.Add(key, hub);
            }
            hub.References++;
            return hub;
        }
    }

    public void Release(FeedHub hub)
    {
        lock (_lock)
        {
            if (--hub.References > 0)
            {
                return;
            }
            _hubs.Remove(hub.Key);
        }
        hub.Dispose();
    }
}
