// Per feed with a write in flight or a subscriber: the newest position applied to the store
// and the newest one known durable, and who to tell. Readers deliver up to Durable only, so an event
// whose write is applied but not yet durable (and might vanish in a crash) is never sent.
namespace Prg.Storage.Chat;

internal sealed class FeedChannel(long position)
{
    private long _durable = position;

    /// <summary>Newest position applied (visible in the store); guarded by the feed's lock.</summary>
    public long Applied = position;

    public List<FeedSubscription> Subscribers { get; } = [];

    public long Durable
    {
        get => Volatile.Read(ref _durable);
        set => Volatile.Write(ref _durable, value);
    }

    /// <summary>Nothing in flight and nobody listening: the channel can be forgotten.</summary>
    public bool Idle => Durable >= Applied && Subscribers.Count == 0;
}
