// Bounded work per request: pages past long runs of deleted messages, pages cut by bytes, the cap on
// versions kept per message, purge of a message with 60,000 versions in WAL-sized batches, and the
// striped live counters after a reopen.
using System.Text;
using Prg.Storage.Chat;
using Prg.Storage.Engine;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class ChatBoundsTests
{
    [Fact]
    public async Task A_page_past_many_deleted_messages_stops_with_a_cursor_and_a_walk_still_reaches_every_live_message()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, Durability.Relaxed, pageScanChunks: 1);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        var keys = new List<string>();
        for (int i = 0; i < 500; i++)
        {
            keys.Add((await PostAsync(store, "t", "alice", $"m{i}", 10 + i)).Key);
        }

        for (int i = 1; i < 400; i++)
        {
            Assert.True(await store.DeleteMessageAsync("t", keys[i], 1000));
        }

        var live = keys.Take(1).Concat(keys.Skip(400)).ToList();

        Page<MessageRecord> newest = store.ListMessages("t", new PageRequest { Limit = 200 });
        Assert.Equal(keys.Skip(400), newest.Items.Select(m => m.Key));
        Assert.True(newest.HasBefore);
        string cursor = newest.BeforeCursor ?? throw new Xunit.Sdk.XunitException("a capped page must hand back a cursor");
        Assert.True(KeySpace.TryParseMessageKey(cursor, out long cursorTs, out long cursorSeq));
        Assert.Equal(0, cursorTs);
        Assert.InRange(cursorSeq, 2, 400);

        // Walking back from the cursor reaches the one live message left, exactly once.
        var walked = newest.Items.Select(m => m.Key).ToList();
        string? before = cursor;
        int requests = 1;
        while (before is not null)
        {
            Page<MessageRecord> page = store.ListMessages("t", new PageRequest { Limit = 200, Before = before });
            walked.InsertRange(0, page.Items.Select(m => m.Key));
            before = page.HasBefore ? page.BeforeCursor ?? page.Items[0].Key : null;
            Assert.True(++requests < 20, "the walk does not make progress");
        }
        Assert.Equal(live, walked);

        // Forward from the oldest, over the same run.
        var forward = new List<string> { keys[0] };
        string? after = keys[0];
        while (after is not null)
        {
            Page<MessageRecord> page = store.ListMessages("t", new PageRequest { Limit = 200, After = after });
            forward.AddRange(page.Items.Select(m => m.Key));
            after = page.HasAfter ? page.AfterCursor ?? page.Items[^1].Key : null;
        }
        Assert.Equal(live, forward);

        // A cursor is a place to continue from, not an item: it cannot be an anchor.
        Assert.Throws<ChatKeyNotFoundException>(() => store.ListMessages("t", new PageRequest { Anchor = cursor }));
        Assert.Throws<ChatKeyNotFoundException>(() => store.ListMessages("t", new PageRequest { Before = keys[5] }));
    }

    [Fact]
    public async Task A_page_stops_at_its_byte_cap_but_always_holds_one_item()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, Durability.Relaxed);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        var keys = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            keys.Add((await PostAsync(store, "t", "alice", new string((char)('a' + i), 1000), 10 + i)).Key);
        }

        Page<MessageRecord> page = store.ListMessages("t", new PageRequest { Limit = 1000, MaxBytes = 5000 });
        Assert.InRange(page.Items.Count, 2, 4);
        Assert.Equal(keys.TakeLast(page.Items.Count), page.Items.Select(m => m.Key));
        Assert.True(page.HasBefore);
        Assert.False(page.HasAfter);
        Assert.Null(page.BeforeCursor);

        Page<MessageRecord> one = store.ListMessages("t", new PageRequest { Limit = 1000, MaxBytes = 1, After = keys[2] });
        Assert.Equal([keys[3]], one.Items.Select(m => m.Key));
        Assert.True(one.HasAfter);
        Assert.Equal(10, one.Total);
    }

    [Fact]
    public async Task Edits_past_the_cap_drop_the_oldest_versions_and_versions_page_like_messages()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, Durability.Relaxed, maxVersions: 3);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageRecord m = await PostAsync(store, "t", "alice", "v1", 10);
        for (int v = 1; v <= 5; v++)
        {
            Assert.Equal(EditStatus.Ok, (await store.EditMessageAsync("t", m.Key, v, B($"v{v + 1}"), 10 + v)).Status);
        }

        Assert.Equal([4, 5, 6], store.ListVersions("t", m.Key).Select(v => v.Version));
        Assert.Equal(["v4", "v5", "v6"], store.ListVersions("t", m.Key).Select(v => S(v.Body)));
        for (int v = 1; v <= 3; v++)
        {
            Assert.False(store.Kv.ContainsKey(Encoding.UTF8.GetBytes(KeySpace.MessageVersion("t", m.Key, v))), $"version {v} was kept");
        }

        Page<MessageRecord> newest = store.ListVersionPage("t", m.Key, new PageRequest { Limit = 2 })!;
        Assert.Equal([5, 6], newest.Items.Select(v => v.Version));
        Assert.True(newest.HasBefore);
        Assert.Equal(3, newest.Total);
        Page<MessageRecord> anchored = store.ListVersionPage("t", m.Key, new PageRequest { Limit = 1, Anchor = "5" })!;
        Assert.Equal([4, 5, 6], anchored.Items.Select(v => v.Version));
        Assert.Throws<ChatKeyNotFoundException>(() => store.ListVersionPage("t", m.Key, new PageRequest { After = "2" }));
        Assert.Null(store.ListVersionPage("t", KeySpace.MessageKey(1, 99), new PageRequest()));
        Assert.False(await store.ReplaceBodyAsync("t", m.Key, 2, B("v2"), B("x")));
    }

    [Fact]
    public async Task A_message_with_60000_versions_is_purged_in_batches_the_wal_accepts_and_the_queue_moves_on()
    {
        const int versions = 60_000;
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, Durability.Relaxed, maxVersions: 0);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageRecord big = await PostAsync(store, "t", "alice", "v1", 10);
        MessageRecord small = await PostAsync(store, "t", "alice", "small", 11);
        MessageRecord kept = await PostAsync(store, "t", "alice", "kept", 12);
        for (int v = 1; v < versions; v++)
        {
            Assert.Equal(EditStatus.Ok, (await store.EditMessageAsync("t", big.Key, v, B("e"), 20)).Status);
        }

        Assert.Equal(versions, store.GetMessage("t", big.Key)!.Version);
        Assert.True(await store.DeleteMessageAsync("t", big.Key, 30));
        Assert.True(await store.DeleteMessageAsync("t", small.Key, 31));

        long commitsBefore = store.Kv.Commits;
        Assert.Equal(2, await store.PurgeExpiredAsync(long.MaxValue, long.MaxValue));
        // One batch of all 60,000 deletes would not fit a 256 KB WAL page; bounded ones take several.
        Assert.True(store.Kv.Commits - commitsBefore >= 20, $"{store.Kv.Commits - commitsBefore} batches");

        Assert.Null(store.GetMessage("t", big.Key));
        Assert.Null(store.GetMessage("t", small.Key));
        foreach (int v in new[] { 1, 2, versions / 2, versions - 1 })
        {
            Assert.False(store.Kv.ContainsKey(Encoding.UTF8.GetBytes(KeySpace.MessageVersion("t", big.Key, v))), $"version {v} survived");
        }

        Assert.Equal([kept.Key], store.ListMessages("t", new PageRequest()).Items.Select(m => m.Key));
        Assert.Equal(0, await store.PurgeExpiredAsync(long.MaxValue, long.MaxValue));
    }

    [Fact]
    public async Task Live_counts_come_back_after_reopen_from_the_stripe_records()
    {
        using var dir = new TempDirectory();
        StoreStats before;
        await using (var store = Open(dir.Path))
        {
            for (int t = 0; t < 20; t++)
            {
                await store.CreateThreadAsync($"t{t}", "alice", B("x"), B("k"), 1);
                for (int i = 0; i < t % 4; i++)
                {
                    await PostAsync(store, $"t{t}", "alice", "m", 2 + i);
                }
            }
            await store.DeleteThreadAsync("t3", 10);
            MessageRecord m = store.ListMessages("t7", new PageRequest()).Items[0];
            await store.DeleteMessageAsync("t7", m.Key, 11);
            await store.PurgeThreadAsync("t6");
            before = store.GetStats();
            Assert.Equal(new StoreStats(18, 24), before);
        }
        await using var reopened = Open(dir.Path);
        Assert.Equal(before, reopened.GetStats());
    }
}
