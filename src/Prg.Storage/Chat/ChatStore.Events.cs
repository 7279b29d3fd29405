// Feeds: every write that changes what a thread's reader sees appends events to the thread's durable
// feed, and what its owner's inbox shows (threads created, updated, deleted, posts, read marks) to the
// owner's inbox feed; positions come from the feed's state record in the write's own batch, so they
// follow commit order. Feeds are trimmed to FeedRetention events, and once the batch is durable the
// in-process subscribers are told. Subscribers read events back by position (point reads, never a scan).
using System.Collections.Concurrent;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>Most events a feed keeps; purging a thread deletes them in its final, bounded batch.</summary>
    public const int MaxFeedRetention = 1024;

    // Events one write trims beyond its own: a lowered retention converges without a large batch.
    private const int ExtraTrimsPerWrite = 4;

    private readonly ConcurrentDictionary<string, FeedChannel> _feeds = new(StringComparer.Ordinal);

    /// <summary>
    /// Subscribes to the thread's feed: <paramref name="onDurable"/> runs each time its durable position
    /// advances (possibly concurrently with itself, outside every store lock). Subscribe first, then read.
    /// </summary>
    public FeedSubscription SubscribeFeed(string threadId, Action onDurable)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        return Subscribe(ThreadLog(threadId), onDurable);
    }

    /// <summary>As <see cref="SubscribeFeed"/> for the user's inbox feed.</summary>
    public FeedSubscription SubscribeInbox(string userId, Action onDurable)
    {
        KeySpace.ValidateUserId(userId, nameof(userId));
        return Subscribe(InboxLog(userId), onDurable);
    }

    /// <summary>
    /// Up to <paramref name="max"/> events of the thread's feed after position <paramref name="after"/>,
    /// none past <paramref name="durable"/> (a subscription's Durable); Reset when some of them are no
    /// longer kept or <paramref name="after"/> is past <paramref name="durable"/>.
    /// </summary>
    public FeedRead ReadEvents(string threadId, long after, long durable, int max)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        return Read(ThreadLog(threadId), after, durable, max);
    }

    /// <summary>As <see cref="ReadEvents"/> for the user's inbox feed.</summary>
    public FeedRead ReadInbox(string userId, long after, long durable, int max)
    {
        KeySpace.ValidateUserId(userId, nameof(userId));
        return Read(InboxLog(userId), after, durable, max);
    }

    internal void Unsubscribe(FeedSubscription subscription)
    {
        FeedChannel channel = subscription.Channel;
        lock (subscription.Log.Lock)
        {
            channel.Subscribers.Remove(subscription);
            ForgetIfIdle(subscription.Log, channel);
        }
    }

    /// <summary>Drops a channel nobody listens to and nothing waits on; the caller holds the log's lock.</summary>
    private void ForgetIfIdle(FeedLog log, FeedChannel channel)
    {
        if (channel.Idle)
        {
            _feeds.TryRemove(new KeyValuePair<string, FeedChannel>(log.Channel, channel));
        }
    }

    private FeedLog ThreadLog(string threadId) => new("t:" + threadId, KeySpace.ThreadFeed(threadId), threadId, false, ThreadLock(threadId));

    private FeedLog InboxLog(string userId) => new("u:" + userId, KeySpace.UserFeed(userId), userId, true, UserLock(userId));

    private FeedSubscription Subscribe(FeedLog log, Action onDurable)
    {
        ArgumentNullException.ThrowIfNull(onDurable);
        lock (log.Lock)
        {
            // No channel under the feed's lock means no write to the feed is in flight: all stored is durable.
            FeedChannel channel = _feeds.GetOrAdd(log.Channel, _ => new FeedChannel(ReadFeedState(new ChatTx(_kv), log).Last));
            var subscription = new FeedSubscription(this, log, channel, onDurable);
            channel.Subscribers.Add(subscription);
            return subscription;
        }
    }

    private FeedRead Read(FeedLog log, long after, long durable, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var tx = new ChatTx(_kv);
        FeedState state = ReadFeedState(tx, log);
        if (after > durable || after + 1 < state.Oldest)
        {
            return new FeedRead([], true, durable);
        }

        long end = Math.Min(durable, after + max);
        var events = new List<ChatEvent>((int)(end - after));
        for (long position = after + 1; position <= end; position++)
        {
            // A concurrent write may have trimmed it since the state was read: as good as never kept.
            if (tx.Get(log.EventKey(position), FeedEvent.Decode) is not { } e)
            {
                return new FeedRead([], true, durable);
            }

            events.Add(new ChatEvent(position, e.Kind, e.ThreadId ?? log.Owner, e.MessageKey, e.Ts));
        }
        return new FeedRead(events, false, durable);
    }

    /// <summary>Appends the write's events to its feeds; called under the locks before the batch is built.</summary>
    private void StageEvents(ThreadWrite write)
    {
        write.FeedPosition = Stage(write.Tx, ThreadLog(write.ThreadId), write.Events);
        if (write.InboxUser is { } user)
        {
            write.InboxPosition = Stage(write.Tx, InboxLog(user), write.InboxEvents);
        }
    }

    private long Stage(ChatTx tx, FeedLog log, List<FeedEvent>? events)
    {
        if (events is not { Count: > 0 })
        {
            return 0;
        }

        FeedState state = ReadFeedState(tx, log);
        foreach (FeedEvent e in events)
        {
            state.Last++;
            tx.Put(log.EventKey(state.Last), e);
        }
        for (int trims = 0; state.Last - state.Oldest + 1 > _options.FeedRetention && trims < events.Count + ExtraTrimsPerWrite; trims++)
        {
            tx.Delete(log.EventKey(state.Oldest));
            state.Oldest++;
        }
        tx.Put(log.StateKey, state);
        return state.Last;
    }

    /// <summary>Records the applied positions; called under the locks once the batch is applied.</summary>
    private void MarkApplied(ThreadWrite write)
    {
        if (write.FeedPosition > 0)
        {
            MarkApplied(ThreadLog(write.ThreadId), write.FeedPosition, write.Events!.Count);
        }

        if (write.InboxPosition > 0)
        {
            MarkApplied(InboxLog(write.InboxUser!), write.InboxPosition, write.InboxEvents!.Count);
        }
    }

    private void MarkApplied(FeedLog log, long position, int count)
        => _feeds.GetOrAdd(log.Channel, _ => new FeedChannel(position - count)).Applied = position;

    /// <summary>The write is durable: tell the subscribers of the feeds it appended to.</summary>
    private void PublishDurable(ThreadWrite write)
    {
        if (write.FeedPosition > 0)
        {
            PublishDurable(ThreadLog(write.ThreadId), write.FeedPosition);
        }

        if (write.InboxPosition > 0)
        {
            PublishDurable(InboxLog(write.InboxUser!), write.InboxPosition);
        }
    }

    private void PublishDurable(FeedLog log, long position)
    {
        FeedSubscription[] subscribers;
        lock (log.Lock)
        {
            if (!_feeds.TryGetValue(log.Channel, out FeedChannel? channel))
            {
                return;
            }
            // Durability completes in log order, so every position up to this one is durable too.
            if (position > channel.Durable)
            {
                channel.Durable = position;
            }

            ForgetIfIdle(log, channel);
            subscribers = channel.Subscribers.Count == 0 ? [] : [.. channel.Subscribers];
        }
        foreach (FeedSubscription subscriber in subscribers)
        {
            subscriber.Notify();
        }
    }

    private static FeedState ReadFeedState(ChatTx tx, FeedLog log)
        => tx.Get(log.StateKey, FeedState.Decode) ?? new FeedState();
}
