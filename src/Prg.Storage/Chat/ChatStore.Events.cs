// Thread feeds: every write that changes what a thread's reader sees appends events to the thread's
// durable feed (positions from thread:<t>:feed, in the write's own batch, so positions follow commit
// order), trims the feed to FeedRetention events, and, once the batch is durable, tells the in-process
// subscribers. Subscribers read events back by position (point reads, never a scan).
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
        ArgumentNullException.ThrowIfNull(onDurable);
        lock (ThreadLock(threadId))
        {
            // No channel under the thread lock means no write to the thread is in flight: all stored is durable.
            FeedChannel channel = _feeds.GetOrAdd(threadId, id => new FeedChannel(ReadFeedState(new ChatTx(_kv), id).Last));
            var subscription = new FeedSubscription(this, threadId, channel, onDurable);
            channel.Subscribers.Add(subscription);
            return subscription;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> events after position <paramref name="after"/>, none past
    /// <paramref name="durable"/> (a subscription's Durable); Reset when some of them are no longer kept
    /// or <paramref name="after"/> is past <paramref name="durable"/>.
    /// </summary>
    public FeedRead ReadEvents(string threadId, long after, long durable, int max)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var tx = new ChatTx(_kv);
        FeedState state = ReadFeedState(tx, threadId);
        if (after > durable || after + 1 < state.Oldest)
            return new FeedRead([], true, durable);
        long end = Math.Min(durable, after + max);
        var events = new List<ChatEvent>((int)(end - after));
        for (long position = after + 1; position <= end; position++)
        {
            // A concurrent write may have trimmed it since the state was read: as good as never kept.
            if (tx.Get(KeySpace.FeedEvent(threadId, position), FeedEvent.Decode) is not { } e)
                return new FeedRead([], true, durable);
            events.Add(new ChatEvent(position, e.Kind, threadId, e.MessageKey, e.Ts));
        }
        return new FeedRead(events, false, durable);
    }

    internal void Unsubscribe(FeedSubscription subscription)
    {
        FeedChannel channel = subscription.Channel;
        lock (ThreadLock(subscription.ThreadId))
        {
            channel.Subscribers.Remove(subscription);
            if (channel.Idle)
                _feeds.TryRemove(new KeyValuePair<string, FeedChannel>(subscription.ThreadId, channel));
        }
    }

    /// <summary>Appends the write's events to its feed; called under the thread lock before the batch is built.</summary>
    private void StageEvents(ThreadWrite write)
    {
        if (write.Events is not { Count: > 0 } events)
            return;
        string threadId = write.ThreadId;
        FeedState state = ReadFeedState(write.Tx, threadId);
        foreach (FeedEvent e in events)
        {
            state.Last++;
            write.Tx.Put(KeySpace.FeedEvent(threadId, state.Last), e);
        }
        for (int trims = 0; state.Last - state.Oldest + 1 > _options.FeedRetention && trims < events.Count + ExtraTrimsPerWrite; trims++)
        {
            write.Tx.Delete(KeySpace.FeedEvent(threadId, state.Oldest));
            state.Oldest++;
        }
        write.Tx.Put(KeySpace.ThreadFeed(threadId), state);
        write.FeedPosition = state.Last;
    }

    /// <summary>Records the applied position; called under the thread lock once the batch is applied.</summary>
    private void MarkApplied(ThreadWrite write)
    {
        if (write.FeedPosition == 0)
            return;
        long before = write.FeedPosition - write.Events!.Count;
        _feeds.GetOrAdd(write.ThreadId, _ => new FeedChannel(before)).Applied = write.FeedPosition;
    }

    /// <summary>The write at <paramref name="position"/> is durable: tell the thread's subscribers.</summary>
    private void PublishDurable(string threadId, long position)
    {
        FeedSubscription[] subscribers;
        lock (ThreadLock(threadId))
        {
            if (!_feeds.TryGetValue(threadId, out FeedChannel? channel))
                return;
            // Durability completes in log order, so every position up to this one is durable too.
            if (position > channel.Durable)
                channel.Durable = position;
            if (channel.Idle)
                _feeds.TryRemove(new KeyValuePair<string, FeedChannel>(threadId, channel));
            subscribers = channel.Subscribers.Count == 0 ? [] : [.. channel.Subscribers];
        }
        foreach (FeedSubscription subscriber in subscribers)
            subscriber.Notify();
    }

    private static FeedState ReadFeedState(ChatTx tx, string threadId)
        => tx.Get(KeySpace.ThreadFeed(threadId), FeedState.Decode) ?? new FeedState();
}
