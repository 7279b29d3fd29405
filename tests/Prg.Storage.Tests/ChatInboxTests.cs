// Inbox feeds and read state: a user's threads created, updated, deleted, posted to and read, in
// commit order with durable positions; the read mark only moves forward and unread is O(1).
using Prg.Storage.Chat;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class ChatInboxTests
{
    [Fact]
    public async Task The_owners_inbox_gets_every_change_to_their_threads_and_nobody_elses()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        string t = store.NewThreadId(), other = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
        await store.CreateThreadAsync(other, "bob", B("title"), B("kms"), 2);
        MessageRecord m = await PostAsync(store, t, "alice", "hi", 3);
        await PostAsync(store, other, "bob", "not alice's", 4);
        await store.EditMessageAsync(t, m.Key, 1, B("edited"), 5); // edits are on the thread feed only
        await store.MarkReadAsync(t, m.Key, 6);
        await store.UpdateThreadAsync(t, B("renamed"), null, 7);
        await store.DeleteThreadAsync(t, 8);

        using FeedSubscription inbox = store.SubscribeInbox("alice", () => { });
        FeedRead read = store.ReadInbox("alice", 0, inbox.Durable, 100);

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, read.Events.Select(e => e.Position));
        Assert.Equal(
            [ChatEventKind.ThreadCreated, ChatEventKind.MessageCreated, ChatEventKind.Read, ChatEventKind.ThreadUpdated, ChatEventKind.ThreadDeleted],
            read.Events.Select(e => e.Kind));
        Assert.All(read.Events, e => Assert.Equal(t, e.ThreadId));
        Assert.Equal([null, m.Key, m.Key, null, null], read.Events.Select(e => e.MessageKey));
        using FeedSubscription bobs = store.SubscribeInbox("bob", () => { });
        Assert.Equal(2, bobs.Durable);
    }

    [Fact]
    public async Task A_post_wakes_an_inbox_subscriber_after_it_is_durable_and_positions_survive_a_restart()
    {
        using var dir = new TempDirectory();
        string t;
        await using (var store = Open(dir.Path))
        {
            t = store.NewThreadId();
            await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
            long told = 0;
            FeedSubscription? inbox = null;
            using (inbox = store.SubscribeInbox("alice", () => Interlocked.Exchange(ref told, inbox!.Durable)))
            {
                await PostAsync(store, t, "alice", "one", 2);
                Assert.Equal(2, Interlocked.Read(ref told));
            }
        }
        await using var reopened = Open(dir.Path);
        await PostAsync(reopened, t, "alice", "two", 3);
        using FeedSubscription after = reopened.SubscribeInbox("alice", () => { });
        Assert.Equal(new long[] { 3 }, reopened.ReadInbox("alice", 2, after.Durable, 10).Events.Select(e => e.Position));
    }

    [Fact]
    public async Task The_read_mark_never_moves_backwards_and_unread_counts_later_posts()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        string t = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
        var posts = new List<MessageRecord>();
        for (int i = 0; i < 5; i++)
        {
            posts.Add(await PostAsync(store, t, "alice", $"m{i}", 10 + i));
        }

        Assert.Equal((null, 5L), (store.GetThread(t)!.LastRead, store.GetThread(t)!.Unread));

        Assert.Equal(new ReadState(posts[2].Key, 2), await store.MarkReadAsync(t, posts[2].Key, 20));
        Assert.Equal(new ReadState(posts[2].Key, 2), await store.MarkReadAsync(t, posts[0].Key, 21)); // backwards: kept
        Assert.Equal((posts[2].Key, 2L), (store.GetThread(t)!.LastRead, store.GetThread(t)!.Unread));
        await store.DeleteMessageAsync(t, posts[4].Key, 22);
        await store.DeleteMessageAsync(t, posts[3].Key, 23);
        Assert.Equal(2, store.GetThread(t)!.Unread); // posted after the mark (an upper bound once some are deleted)
        await store.DeleteMessageAsync(t, posts[2].Key, 24);
        await store.DeleteMessageAsync(t, posts[1].Key, 24);
        Assert.Equal(1, store.GetThread(t)!.Unread); // never more than the live messages
        Assert.Equal(posts[2].Key, store.ListThreads("alice", new PageRequest { Limit = 10 }).Items.Single().LastRead);

        Assert.Null(await store.MarkReadAsync(t, "0000000000000000001-000000000099", 25));
        Assert.Null(await store.MarkReadAsync(t, "not a key", 25));
        using FeedSubscription inbox = store.SubscribeInbox("alice", () => { });
        Assert.Single(store.ReadInbox("alice", 0, inbox.Durable, 100).Events, e => e.Kind == ChatEventKind.Read);
    }
}
