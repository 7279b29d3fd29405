// An in-process subscriber of one feed (a thread's or an inbox): told (outside every store lock) each
// time the feed's durable position advances; reads the events itself with ChatStore.ReadEvents/ReadInbox.
namespace Prg.Storage.Chat;

/// <summary>A live subscription; dispose it to stop being told.</summary>
public sealed class FeedSubscription : IDisposable
{
    private readonly ChatStore _store;
    private readonly Action _onDurable;
    private int _disposed;

    internal FeedSubscription(ChatStore store, FeedLog log, FeedChannel channel, Action onDurable)
    {
        _store = store;
        Log = log;
        Channel = channel;
        _onDurable = onDurable;
    }

    internal FeedLog Log { get; }

    internal FeedChannel Channel { get; }

    /// <summary>The feed's newest durable position: events up to it may be read and delivered.</summary>
    public long Durable => Channel.Durable;

    internal void Notify() => _onDurable();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _store.Unsubscribe(this);
        }
    }
}
