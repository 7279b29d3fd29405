// ChatStore behaviour: sequence allocation under concurrency, versions, CAS body replacement, purge,
// retention cutoffs, sys values, validation and error signalling.
using System.Text;
using Prg.Storage.Chat;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class ChatStoreTests
{
    [Fact]
    public async Task Concurrent_posts_to_one_thread_get_unique_dense_seqs_and_are_listed_in_order()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        string t = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("title"), B("kms"), 1);
        const int tasks = 8, perTask = 200;
        var results = await Task.WhenAll(Enumerable.Range(0, tasks).Select(w => Task.Run(async () =>
        {
            var seqs = new List<long>();
            for (int i = 0; i < perTask; i++)
            {
                seqs.Add((await PostAsync(store, t, "alice", $"{w}:{i}", 1000 + i)).Seq);
            }

            return seqs;
        })));

        var all = results.SelectMany(s => s).OrderBy(s => s).ToList();
        Assert.Equal(Enumerable.Range(1, tasks * perTask).Select(i => (long)i), all);
        var page = store.ListMessages(t, new PageRequest { Limit = 1000 });
        Assert.Equal(tasks * perTask, page.Total);
        Assert.Equal(1000, page.Items.Count);
        Assert.True(page.HasBefore);
        Assert.Equal(Enumerable.Range(601, 1000).Select(i => (long)i), page.Items.Select(m => m.Seq));
        Assert.Equal(tasks * perTask, store.GetStats().LiveMessages);
        Assert.Equal(tasks * perTask, store.GetThread(t)!.MessageSeqHighWater);
    }

    [Fact]
    public async Task Sequence_numbers_continue_after_restart()
    {
        using var dir = new TempDirectory();
        string t;
        await using (var store = Open(dir.Path))
        {
            t = store.NewThreadId();
            await store.CreateThreadAsync(t, "alice", B("x"), B("k"), 1);
            for (int i = 0; i < 5; i++)
            {
                await PostAsync(store, t, "alice", "m", 10 + i);
            }

            await store.DeleteMessageAsync(t, store.ListMessageKeys(t, new PageRequest { Limit = 10 }).Items[^1], 20);
        }
        await using var reopened = Open(dir.Path);
        Assert.Equal(6, reopened.ReserveMessage(t, 30).Seq);
        Assert.Equal(4, reopened.GetStats().LiveMessages);
        Assert.Equal(1, reopened.GetStats().LiveThreads);
    }

    [Fact]
    public async Task Thread_ids_are_url_safe_unique_and_time_ordered()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        var ids = Enumerable.Range(0, 2000).Select(_ => store.NewThreadId()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{18}$", id));
        string early = ids[0];
        await Task.Delay(5);
        Assert.True(string.CompareOrdinal(early[..8], store.NewThreadId()[..8]) < 0);
    }

    [Fact]
    public async Task Thread_lifecycle_updates_lists_and_counts()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t1", "alice", B("one"), B("kms1"), 10);
        await store.CreateThreadAsync("t2", "alice", B("two"), B("kms2"), 20);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.CreateThreadAsync("t1", "bob", B("x"), B("k"), 30));

        // A kms-only change (key rotation) is not a user-visible update: updated_ts and order stay.
        ThreadRecord? rekeyed = await store.UpdateThreadAsync("t1", null, B("kms1b"), 40);
        Assert.NotNull(rekeyed);
        Assert.Equal("one", S(rekeyed!.Title));
        Assert.Equal("kms1b", S(rekeyed.AppData));
        Assert.Equal(10, rekeyed.UpdatedTs);
        Assert.Equal(["t2", "t1"], store.ListThreads("alice", new PageRequest { SortBy = SortBy.UpdatedTs }).Items.Select(t => t.Id));

        ThreadRecord? updated = await store.UpdateThreadAsync("t1", B("one!"), null, 45);
        Assert.Equal("one!", S(updated!.Title));
        Assert.Equal("kms1b", S(updated.AppData));
        Assert.Equal(45, updated.UpdatedTs);
        Assert.Equal(["t2", "t1"], store.ListThreads("alice", new PageRequest()).Items.Select(t => t.Id));
        Assert.Equal(["t1", "t2"], store.ListThreads("alice", new PageRequest { SortBy = SortBy.UpdatedTs }).Items.Select(t => t.Id));

        await PostAsync(store, "t1", "alice", "hello", 50);
        await PostAsync(store, "t1", "alice", "world", 51);
        Assert.Equal(new StoreStats(2, 2), store.GetStats());
        Assert.True(await store.DeleteThreadAsync("t1", 60));
        Assert.False(await store.DeleteThreadAsync("t1", 61));
        Assert.Equal(new StoreStats(1, 0), store.GetStats());
        ThreadRecord deleted = store.GetThread("t1")!;
        Assert.True(deleted.Deleted);
        Assert.Equal(60, deleted.DeletedTs);
        Assert.Null(await store.UpdateThreadAsync("t1", B("x"), null, 70));
        Assert.Equal(["t2"], store.ListThreads("alice", new PageRequest()).Items.Select(t => t.Id));
        Assert.Throws<ChatKeyNotFoundException>(() => store.ReserveMessage("t1", 80));
        Assert.Null(store.GetThread("nope"));
        // Ids no thread or user can have name nothing; they are not programming errors.
        Assert.Null(store.GetThread("bad\u0001id"));
        Assert.Null(store.GetThread(new string('x', 200)));
        Assert.Null(store.GetMessage("bad\u0001id", "0000000000000000050-000000000001"));
        Assert.Empty(store.ListUserThreadIds("bad\u0001user", new PageRequest()).Items);
        Assert.Empty(store.ListThreads("nobody", new PageRequest()).Items);
    }

    [Fact]
    public async Task Users_whose_ids_contain_separators_do_not_see_each_others_threads()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("b", "a:thread", B("x"), B("k"), 1);
        await store.CreateThreadAsync("thread:b", "a", B("y"), B("k"), 2);
        Assert.Equal(["b"], store.ListUserThreadIds("a:thread", new PageRequest()).Items);
        Assert.Equal(["thread:b"], store.ListUserThreadIds("a", new PageRequest()).Items);
        Assert.Equal(["a:thread", "a"], store.ListUsers(new PageRequest()).Items);
    }

    [Fact]
    public async Task Message_created_after_a_slot_from_a_deleted_thread_returns_null()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageSlot slot = store.ReserveMessage("t", 2);
        await store.DeleteThreadAsync("t", 3);
        Assert.Null(await store.CreateMessageAsync(slot, "alice", B("late")));
    }

    [Fact]
    public async Task A_slot_can_be_written_once()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageSlot slot = store.ReserveMessage("t", 2);
        await store.CreateMessageAsync(slot, "alice", B("once"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.CreateMessageAsync(slot, "alice", B("twice")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.CreateMessageAsync(slot with { Seq = 99 }, "alice", B("forged")));
    }

    [Fact]
    public async Task Edits_keep_every_version_and_detect_conflicts()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageRecord m = await PostAsync(store, "t", "alice", "v1", 100);
        Assert.Equal(EditStatus.Ok, (await store.EditMessageAsync("t", m.Key, 1, B("v2"), 200)).Status);
        EditResult third = await store.EditMessageAsync("t", m.Key, 2, B("v3"), 300);
        Assert.Equal(3, third.Message!.Version);
        EditResult conflict = await store.EditMessageAsync("t", m.Key, 2, B("lost"), 400);
        Assert.Equal(EditStatus.Conflict, conflict.Status);
        Assert.Equal(3, conflict.CurrentVersion);
        Assert.Equal(EditStatus.NotFound, (await store.EditMessageAsync("t", "nonsense", 1, B("x"), 1)).Status);
        Assert.Equal(EditStatus.NotFound, (await store.EditMessageAsync("other", m.Key, 3, B("x"), 1)).Status);

        var versions = store.ListVersions("t", m.Key);
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.Equal(["v1", "v2", "v3"], versions.Select(v => S(v.Body)));
        Assert.Equal([100L, 200L, 300L], versions.Select(v => v.UpdatedTs));
        Assert.All(versions, v => Assert.Equal(100, v.CreatedTs));

        MessageRecord current = store.GetMessage("t", m.Key)!;
        Assert.Equal(3, current.Version);
        Assert.Null(store.GetMessage("other", m.Key));
        Assert.True(await store.DeleteMessageAsync("t", m.Key, 500));
        Assert.True(store.GetMessage("t", m.Key)!.Deleted);
        Assert.Equal(EditStatus.NotFound, (await store.EditMessageAsync("t", m.Key, 3, B("x"), 600)).Status);
    }

    [Fact]
    public async Task Replace_body_is_a_compare_and_swap_that_keeps_versions_and_timestamps()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageRecord m = await PostAsync(store, "t", "alice", "old1", 100);
        await store.EditMessageAsync("t", m.Key, 1, B("old2"), 200);

        Assert.False(await store.ReplaceBodyAsync("t", m.Key, 2, B("wrong"), B("new2")));
        Assert.True(await store.ReplaceBodyAsync("t", m.Key, 2, B("old2"), B("new2")));
        Assert.True(await store.ReplaceBodyAsync("t", m.Key, 1, B("old1"), B("new1")));
        Assert.False(await store.ReplaceBodyAsync("t", m.Key, 1, B("old1"), B("again")));
        Assert.False(await store.ReplaceBodyAsync("t", m.Key, 7, B("old1"), B("again")));

        var versions = store.ListVersions("t", m.Key);
        Assert.Equal(["new1", "new2"], versions.Select(v => S(v.Body)));
        Assert.Equal([100L, 200L], versions.Select(v => v.UpdatedTs));
        Assert.Equal([m.Key], store.ListMessageKeys("t", new PageRequest { SortBy = SortBy.UpdatedTs }).Items);
    }

    [Fact]
    public async Task Replace_title_is_a_compare_and_swap_that_keeps_updated_ts_and_order()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t1", "alice", B("title1"), B("k"), 10);
        await store.CreateThreadAsync("t2", "alice", B("title2"), B("k"), 20);

        Assert.False(await store.ReplaceTitleAsync("t1", B("wrong"), B("sealed1")));
        Assert.True(await store.ReplaceTitleAsync("t1", B("title1"), B("sealed1")));
        Assert.False(await store.ReplaceTitleAsync("t1", B("title1"), B("again")));
        Assert.False(await store.ReplaceTitleAsync("missing", B("title1"), B("x")));

        ThreadRecord t1 = store.GetThread("t1")!;
        Assert.Equal("sealed1", S(t1.Title));
        Assert.Equal(10, t1.UpdatedTs);
        Assert.Equal(["t1", "t2"], store.ListThreads("alice", new PageRequest { SortBy = SortBy.UpdatedTs }).Items.Reverse().Select(t => t.Id));

        Assert.True(await store.DeleteThreadAsync("t2", 30));
        Assert.False(await store.ReplaceTitleAsync("t2", B("title2"), B("x")));
    }

    [Fact]
    public async Task Page_reads_each_message_under_an_escaped_thread_id_with_its_own_author_body_and_key()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        const string t = "room:50%";
        await store.CreateThreadAsync(t, "alice", B("x"), B("k"), 1);
        string[] authors = ["alice", "alice", "bob", "bob", "alice"];
        var posted = new List<MessageRecord>();
        for (int i = 0; i < authors.Length; i++)
        {
            posted.Add(await PostAsync(store, t, authors[i], $"body {i}", 10 + i));
        }

        await store.DeleteMessageAsync(t, posted[1].Key, 20);

        Page<MessageRecord> page = store.ListMessages(store.GetThread(t)!, new PageRequest { Limit = 10 });

        int[] live = [0, 2, 3, 4];
        Assert.Equal(live.Select(i => posted[i].Key), page.Items.Select(m => m.Key));
        Assert.Equal(live.Select(i => authors[i]), page.Items.Select(m => m.Author));
        Assert.Equal(live.Select(i => $"body {i}"), page.Items.Select(m => S(m.Body)));
        Assert.All(page.Items, m => Assert.Equal(t, m.ThreadId));
        Assert.Equal(live.Select(i => posted[i].Seq), page.Items.Select(m => m.Seq));
        // Consecutive messages of one author share one string instead of decoding it again.
        Assert.Same(page.Items[1].Author, page.Items[2].Author);
    }

    [Fact]
    public async Task Unknown_or_deleted_page_references_throw_key_not_found()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        MessageRecord m = await PostAsync(store, "t", "alice", "a", 10);
        await PostAsync(store, "t", "alice", "b", 11);
        await store.DeleteMessageAsync("t", m.Key, 12);

        var e = Assert.Throws<ChatKeyNotFoundException>(() => store.ListMessages("t", new PageRequest { Before = m.Key }));
        Assert.Equal(ChatKeyKind.PageAnchor, e.Kind);
        Assert.Throws<ChatKeyNotFoundException>(() => store.ListMessages("t", new PageRequest { Anchor = "garbage" }));
        Assert.Throws<ChatKeyNotFoundException>(() => store.ListThreads("alice", new PageRequest { After = "missing" }));
        Assert.Equal(ChatKeyKind.Thread, Assert.Throws<ChatKeyNotFoundException>(() => store.ListMessages("nope", new PageRequest())).Kind);
        Assert.Throws<ChatKeyNotFoundException>(() => store.ListAllThreadIds("missing", 10));
        Assert.Throws<ArgumentException>(() => store.ListMessages("t", new PageRequest { Before = "a", After = "b" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ListMessages("t", new PageRequest { Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.CreateThreadAsync("t2", "bad\nuser", B("x"), B("k"), 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.CreateThreadAsync("", "alice", B("x"), B("k"), 1));
    }

    [Fact]
    public async Task Purge_removes_every_key_under_the_thread_and_fixes_counters()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        await store.CreateThreadAsync("keep", "alice", B("k"), B("k"), 1);
        await PostAsync(store, "keep", "alice", "stays", 2);
        string t = "doomed:1";
        await store.CreateThreadAsync(t, "alice", B("x"), B("k"), 3);
        var keys = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            keys.Add((await PostAsync(store, t, "alice", $"m{i}", 10 + i)).Key);
        }

        await store.EditMessageAsync(t, keys[0], 1, B("e1"), 50);
        await store.EditMessageAsync(t, keys[0], 2, B("e2"), 51);
        await store.DeleteMessageAsync(t, keys[1], 52);
        store.ReserveMessage(t, 53); // abandoned slot: a gap in the seq index

        await store.PurgeThreadAsync(t);

        var expectedAbsent = new List<string>
        {
            KeySpace.ThreadMeta(t), KeySpace.UserThreadNode("alice", t), KeySpace.ThreadsNode(t),
            KeySpace.DeletedThreadNode(t), KeySpace.DeletedMessageNode(t, keys[1]),
            KeySpace.MessageVersion(t, keys[0], 1), KeySpace.MessageVersion(t, keys[0], 2), KeySpace.ThreadMessages(t),
        };
        for (int i = 0; i < keys.Count; i++)
        {
            expectedAbsent.Add(KeySpace.Message(t, keys[i]));
            expectedAbsent.Add(KeySpace.MessageLink(t, keys[i]));
            expectedAbsent.Add(KeySpace.IndexChunk(t, (i + 1) / 64));
        }
        foreach (string key in expectedAbsent)
        {
            Assert.False(store.Kv.ContainsKey(Encoding.UTF8.GetBytes(key)), $"{key} survived the purge");
        }

        Assert.Null(store.GetThread(t));
        Assert.Equal(new StoreStats(1, 1), store.GetStats());
        Assert.Equal(["keep"], store.ListUserThreadIds("alice", new PageRequest()).Items);
        Assert.Equal(["keep"], store.ListAllThreadIds(null, 10).Items);
        Assert.Equal(0, await store.PurgeExpiredAsync(long.MaxValue, long.MaxValue));

        // The id is free again and starts from seq 1.
        await store.CreateThreadAsync(t, "bob", B("again"), B("k"), 100);
        Assert.Equal(1, (await PostAsync(store, t, "bob", "fresh", 101)).Seq);
    }

    [Fact]
    public async Task Retention_purges_only_items_deleted_before_the_cutoffs()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        foreach (string t in new[] { "a", "b", "c" })
        {
            await store.CreateThreadAsync(t, "alice", B(t), B("k"), 1);
        }

        var msgs = new List<MessageRecord>();
        for (int i = 0; i < 4; i++)
        {
            msgs.Add(await PostAsync(store, "c", "alice", $"m{i}", 10 + i));
        }

        await store.DeleteThreadAsync("a", 100);
        await store.DeleteThreadAsync("b", 200);
        await store.DeleteMessageAsync("c", msgs[0].Key, 100);
        await store.DeleteMessageAsync("c", msgs[1].Key, 200);
        await store.DeleteMessageAsync("c", msgs[2].Key, 300);

        int purged = await store.PurgeExpiredAsync(deletedThreadsBeforeTs: 150, deletedMessagesBeforeTs: 250);
        Assert.Equal(3, purged);
        Assert.Null(store.GetThread("a"));
        Assert.True(store.GetThread("b")!.Deleted);
        Assert.Null(store.GetMessage("c", msgs[0].Key));
        Assert.Null(store.GetMessage("c", msgs[1].Key));
        Assert.True(store.GetMessage("c", msgs[2].Key)!.Deleted);
        Assert.False(store.GetMessage("c", msgs[3].Key)!.Deleted);
        Assert.False(store.Kv.ContainsKey(Encoding.UTF8.GetBytes(KeySpace.Message("c", msgs[0].Key))));

        Assert.Equal(2, await store.PurgeExpiredAsync(long.MaxValue, long.MaxValue));
        Assert.Null(store.GetThread("b"));
        Assert.Null(store.GetMessage("c", msgs[2].Key));
        Assert.Equal(new StoreStats(1, 1), store.GetStats());
        Assert.Equal(["c"], store.ListAllThreadIds(null, 10).Items);
    }

    [Fact]
    public async Task Sys_values_round_trip_and_survive_restart()
    {
        using var dir = new TempDirectory();
        await using (var store = Open(dir.Path))
        {
            await store.PutSysAsync("job:1", B("running"));
            await store.PutSysAsync("job:2", B("done"));
            await store.DeleteSysAsync("job:2");
            Assert.Equal("running", S(store.GetSys("job:1")!));
        }
        await using var reopened = Open(dir.Path);
        Assert.Equal("running", S(reopened.GetSys("job:1")!));
        Assert.Null(reopened.GetSys("job:2"));
    }

    [Fact]
    public async Task Clean_shutdown_reopen_replays_nothing()
    {
        using var dir = new TempDirectory();
        await using (var store = Open(dir.Path))
        {
            await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
            for (int i = 0; i < 20; i++)
            {
                await PostAsync(store, "t", "alice", $"m{i}", 10 + i);
            }
        }
        await using var reopened = Open(dir.Path);
        Assert.Equal(0, reopened.Kv.LastRecoveryReplayCount);
        Assert.Equal(20, reopened.ListMessages("t", new PageRequest()).Total);
    }
}
