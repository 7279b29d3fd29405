// An in-process subscriber of one thread's feed: told (on a pool thread, outside every store lock)
// each time the feed's durable position advances; reads the events itself with ChatStore.ReadEvents.
namespace Prg.Storage.Chat;

/// <summary>A live subscription; dispose it to stop being told.</summary>
public sealed class FeedSubscription : IDisposable
{
    private readonly ChatStore _store;
    private readonly Action _onDurable;
    private int _disposed;

    internal FeedSubscription(ChatStore store, string threadId, FeedChannel channel, Action onDurable)
    {
        _store = store;
        ThreadId = threadId;
        Channel = channel;
        _onDurable = onDurable;
    }

    internal FeedChannel Channel { get; }

    public string ThreadId { get; }

    /// <summary>The thread's newest durable feed position: events up to it may be read and delivered.</summary>
    public long Durable => Channel.Durable;

    internal void Notify() => _onDurable();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _store.Unsubscribe(this);
    }
}
