// Thread feeds: durable, strictly increasing positions in commit order, resume after restart,
// retention with an explicit reset, and subscribers told only after the write is durable.
using Prg.Storage.Chat;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class ChatFeedTests
{
    [Fact]
    public async Task Every_change_to_a_thread_gets_the_next_position_with_its_kind_and_message()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        string t = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
        MessageRecord m = await PostAsync(store, t, "alice", "hi", 2);
        await store.EditMessageAsync(t, m.Key, 1, B("edited"), 3);
        await store.DeleteMessageAsync(t, m.Key, 4);
        await store.UpdateThreadAsync(t, B("new title"), null, 5);
        await store.UpdateThreadAsync(t, null, B("rotated kms"), 6); // key rotation: not a visible change
        await store.DeleteThreadAsync(t, 7);

        using FeedSubscription sub = store.SubscribeFeed(t, () => { });
        FeedRead read = store.ReadEvents(t, 0, sub.Durable, 100);

        Assert.False(read.Reset);
        Assert.Equal(5, sub.Durable);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, read.Events.Select(e => e.Position));
        Assert.Equal(
            [ChatEventKind.MessageCreated, ChatEventKind.MessageUpdated, ChatEventKind.MessageDeleted, ChatEventKind.ThreadUpdated, ChatEventKind.ThreadDeleted],
            read.Events.Select(e => e.Kind));
        Assert.Equal([m.Key, m.Key, m.Key, null, null], read.Events.Select(e => e.MessageKey));
        Assert.Equal(new long[] { 2, 3, 4, 5, 7 }, read.Events.Select(e => e.Ts));
    }

    [Fact]
    public async Task Concurrent_writers_get_dense_positions_and_a_subscriber_sees_each_event_once_after_it_is_durable()
    {
        using var dir = new TempDirectory();
        string t;
        var seen = new List<ChatEvent>();
        await using (var store = Open(dir.Path))
        {
            t = store.NewThreadId();
            await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
            long cursor = 0;
            var gate = new object();
            FeedSubscription? sub = null;
            void Drain()
            {
                lock (gate)
                {
                    FeedRead read = store.ReadEvents(t, cursor, sub!.Durable, 1000);
                    Assert.False(read.Reset);
                    seen.AddRange(read.Events);
                    if (read.Events.Count > 0)
                    {
                        cursor = read.Events[^1].Position;
                    }
                }
            }
            using (sub = store.SubscribeFeed(t, Drain))
            {
                const int writers = 6, perWriter = 50;
                var acked = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
                {
                    var keys = new List<string>();
                    for (int i = 0; i < perWriter; i++)
                    {
                        keys.Add((await PostAsync(store, t, "alice", $"{w}:{i}", 10 + i)).Key);
                        lock (gate)
                        {
                            Assert.True(sub.Durable >= keys.Count, "an acknowledged write is durable, so its position is");
                        }
                    }
                    return keys;
                })));
                Drain();
                Assert.Equal(Enumerable.Range(1, writers * perWriter).Select(i => (long)i), seen.Select(e => e.Position));
                Assert.Equal(acked.SelectMany(k => k).Order(StringComparer.Ordinal), seen.Select(e => e.MessageKey!).Order(StringComparer.Ordinal));
            }
        }

        await using var reopened = Open(dir.Path);
        using FeedSubscription after = reopened.SubscribeFeed(t, () => { });
        Assert.Equal(seen.Count, after.Durable);
        FeedRead resumed = reopened.ReadEvents(t, 100, after.Durable, 1000);
        Assert.Equal(seen.Skip(100), resumed.Events);
        MessageRecord next = await PostAsync(reopened, t, "alice", "after restart", 99);
        Assert.Equal(seen.Count + 1, after.Durable);
        Assert.Equal(next.Key, reopened.ReadEvents(t, seen.Count, after.Durable, 10).Events.Single().MessageKey);
    }

    [Fact]
    public async Task A_cursor_older_than_the_kept_events_or_ahead_of_the_feed_gets_a_reset()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, feedRetention: 5);
        string t = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
        for (int i = 0; i < 12; i++)
        {
            await PostAsync(store, t, "alice", "m", 10 + i);
        }

        using FeedSubscription sub = store.SubscribeFeed(t, () => { });
        Assert.Equal(12, sub.Durable);
        Assert.True(store.ReadEvents(t, 0, sub.Durable, 100).Reset);
        Assert.True(store.ReadEvents(t, 6, sub.Durable, 100).Reset);
        Assert.Equal(new long[] { 8, 9, 10, 11, 12 }, store.ReadEvents(t, 7, sub.Durable, 100).Events.Select(e => e.Position));
        Assert.Equal(new long[] { 8, 9 }, store.ReadEvents(t, 7, sub.Durable, 2).Events.Select(e => e.Position));
        Assert.Empty(store.ReadEvents(t, 12, sub.Durable, 100).Events);
        Assert.True(store.ReadEvents(t, 13, sub.Durable, 100).Reset);
    }

    [Fact]
    public async Task A_purged_thread_leaves_no_feed_records()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        string t = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
        await PostAsync(store, t, "alice", "m", 2);
        await store.DeleteThreadAsync(t, 3);
        await store.PurgeThreadAsync(t);

        Assert.False(store.Kv.ContainsKey(B(KeySpace.ThreadFeed(t))));
        Assert.False(store.Kv.ContainsKey(B(KeySpace.FeedEvent(t, 1))));
        Assert.False(store.Kv.ContainsKey(B(KeySpace.FeedEvent(t, 2))));
        using FeedSubscription sub = store.SubscribeFeed(t, () => { });
        Assert.True(store.ReadEvents(t, 2, sub.Durable, 10).Reset);
    }
}
