// DurableKv behaviour: atomic batches, read-your-writes, recovery (clean, crash, torn tail), group
// commit sharing, relaxed mode, compaction really deleting data.
using System.Text;
using Prg.Storage.Engine;
using static Prg.Storage.Tests.KvTestUtil;

namespace Prg.Storage.Tests;

public sealed class DurableKvTests
{
    [Fact]
    public async Task Committed_batch_is_visible_and_deletes_remove_keys()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var batch = new WriteBatch();
        batch.Put(B("a"), B("1"));
        batch.Put(B("b"), B("2"));
        batch.Put(B("empty"), []);
        await kv.CommitAsync(batch);

        Assert.Equal("1", Get(kv, "a"));
        Assert.Equal("2", Get(kv, "b"));
        Assert.True(kv.TryGet(B("empty"), out byte[] empty));
        Assert.Empty(empty);
        Assert.Null(Get(kv, "missing"));

        batch.Clear();
        batch.Delete(B("a"));
        batch.Put(B("b"), B("22"));
        await kv.CommitAsync(batch);
        Assert.Null(Get(kv, "a"));
        Assert.Equal("22", Get(kv, "b"));
        Assert.Equal(2, kv.Commits);
    }

    [Fact]
    public async Task Operations_in_a_batch_apply_in_order()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var batch = new WriteBatch();
        batch.Put(B("k"), B("first"));
        batch.Delete(B("k"));
        batch.Put(B("j"), B("x"));
        batch.Delete(B("j"));
        batch.Put(B("j"), B("second"));
        await kv.CommitAsync(batch);
        Assert.Null(Get(kv, "k"));
        Assert.Equal("second", Get(kv, "j"));
    }

    [Fact]
    public async Task Apply_is_visible_before_durability_is_awaited()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var batch = new WriteBatch();
        batch.Put(B("ryw"), B("v"));
        CommitHandle handle = kv.Apply(batch);
        Assert.Equal("v", Get(kv, "ryw"));
        await kv.WaitDurableAsync(handle);
    }

    [Fact]
    public async Task Durable_waits_resume_on_the_thread_pool_never_on_the_wal_committer()
    {
        // The committer completes a flush's waiters through one pool work item; their code must never
        // run on the committer itself (it would delay the next fsync for every other writer).
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var resumedOn = new System.Collections.Concurrent.ConcurrentBag<(bool Pool, string? Name)>();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            var batch = new WriteBatch();
            batch.Put(B($"k{i}"), B("v"));
            await kv.WaitDurableAsync(kv.Apply(batch));
            resumedOn.Add((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
        })));

        Assert.Equal(32, resumedOn.Count);
        Assert.All(resumedOn, r => Assert.True(r.Pool && r.Name != "prg-wal-committer", $"resumed on '{r.Name}' (pool: {r.Pool})"));
    }

    [Fact]
    public async Task Invalid_input_is_rejected_with_argument_exceptions()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var batch = new WriteBatch();
        Assert.Throws<ArgumentException>(() => batch.Put([], B("v")));
        Assert.Throws<ArgumentException>(() => batch.Delete(new byte[WriteBatch.MaxKeyLength + 1]));
        Assert.Throws<ArgumentException>(() => kv.TryGet([], out _));
        batch.Put(B("big"), new byte[1 << 18]);
        Assert.Throws<ArgumentException>(() => kv.Apply(batch));
        Assert.Throws<ArgumentOutOfRangeException>(() => DurableKv.Open(new DurableKvOptions { Directory = dir.Combine("x"), PageSizeBits = 5 }));
        Assert.Throws<ArgumentException>(() => DurableKv.Open(new DurableKvOptions { Directory = " " }));
    }

    [Fact]
    public async Task Clean_shutdown_reopen_replays_nothing_and_keeps_everything()
    {
        using var dir = new TempDirectory();
        var kv = DurableKv.Open(SmallOptions(dir.Path));
        for (int i = 0; i < 200; i++)
        {
            var batch = new WriteBatch();
            batch.Put(B($"k{i}"), B($"v{i}"));
            if (i % 10 == 0)
            {
                batch.Delete(B($"k{i - 1}"));
            }

            await kv.CommitAsync(batch);
        }
        await kv.DisposeAsync();
        await kv.DisposeAsync(); // second dispose is a no-op

        await using var reopened = DurableKv.Open(SmallOptions(dir.Path));
        Assert.Equal(0, reopened.LastRecoveryReplayCount);
        Assert.False(reopened.LastRecoveryDroppedTornRecord);
        for (int i = 0; i < 200; i++)
        {
            string? expected = (i + 1) % 10 == 0 && i + 1 < 200 ? null : $"v{i}";
            Assert.Equal(expected, Get(reopened, $"k{i}"));
        }
    }

    [Fact]
    public async Task Crash_recovery_replays_the_wal_after_the_last_checkpoint()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        await using (var kv = DurableKv.Open(SmallOptions(live)))
        {
            for (int i = 0; i < 50; i++)
            {
                await kv.CommitAsync(Single($"k{i}", $"v{i}"));
            }

            await kv.CheckpointAsync();
            for (int i = 50; i < 80; i++)
            {
                await kv.CommitAsync(Single($"k{i}", $"v{i}"));
            }

            await kv.CommitAsync(Single("k3", "overwritten"));
            CopyDirectory(live, crashed);
        }

        await using var recovered = DurableKv.Open(SmallOptions(crashed));
        Assert.Equal(31, recovered.LastRecoveryReplayCount);
        for (int i = 0; i < 80; i++)
        {
            Assert.Equal(i == 3 ? "overwritten" : $"v{i}", Get(recovered, $"k{i}"));
        }
    }

    [Fact]
    public async Task Crash_without_any_checkpoint_recovers_from_the_wal_alone()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        await using (var kv = DurableKv.Open(SmallOptions(live)))
        {
            for (int i = 0; i < 20; i++)
            {
                await kv.CommitAsync(Single($"k{i}", $"v{i}"));
            }

            CopyDirectory(live, crashed);
        }
        await using var recovered = DurableKv.Open(SmallOptions(crashed));
        Assert.Equal(20, recovered.LastRecoveryReplayCount);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal($"v{i}", Get(recovered, $"k{i}"));
        }
    }

    [Fact]
    public async Task Torn_last_wal_record_is_dropped_and_later_writes_survive_the_next_crash()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        long lastRecordStart;
        await using (var kv = DurableKv.Open(SmallOptions(live)))
        {
            CommitHandle last = default;
            for (int i = 0; i < 10; i++)
            {
                var batch = new WriteBatch();
                batch.Put(B($"a{i}"), B($"v{i}"));
                batch.Put(B($"b{i}"), B($"v{i}"));
                last = kv.Apply(batch);
                await kv.WaitDurableAsync(last);
            }
            lastRecordStart = LastRecordStart(last);
            CopyDirectory(live, crashed);
        }

        // Flip bytes inside the last record's payload, as a torn write would leave it.
        FlipByte(WalSegmentPath(crashed, 0), lastRecordStart + WalHeaderSize + 6);

        string crashedAgain = dir.Combine("crashed-again");
        await using (var recovered = DurableKv.Open(SmallOptions(crashed)))
        {
            Assert.True(recovered.LastRecoveryDroppedTornRecord);
            Assert.Equal(9, recovered.LastRecoveryReplayCount);
            for (int i = 0; i < 9; i++)
            {
                Assert.Equal($"v{i}", Get(recovered, $"a{i}"));
                Assert.Equal($"v{i}", Get(recovered, $"b{i}"));
            }
            Assert.Null(Get(recovered, "a9"));
            Assert.Null(Get(recovered, "b9"));

            await recovered.CommitAsync(Single("after", "torn"));
            CopyDirectory(crashed, crashedAgain);
        }

        await using var again = DurableKv.Open(SmallOptions(crashedAgain));
        Assert.False(again.LastRecoveryDroppedTornRecord);
        Assert.Equal("torn", Get(again, "after"));
        Assert.Equal("v8", Get(again, "a8"));
    }

    [Fact]
    public async Task Concurrent_writers_share_fsyncs_and_all_commits_are_durable()
    {
        using var dir = new TempDirectory();
        const int writers = 64;
        const int perWriter = 40;
        long fsyncs;
        await using (var kv = DurableKv.Open(SmallOptions(dir.Path)))
        {
            long before = kv.Fsyncs;
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                var batch = new WriteBatch();
                for (int i = 0; i < perWriter; i++)
                {
                    batch.Clear();
                    batch.Put(B($"w{w}:{i}"), B($"{w * 1000 + i}"));
                    await kv.CommitAsync(batch);
                }
            })));
            fsyncs = kv.Fsyncs - before;
            Assert.Equal(writers * perWriter, kv.Commits);
        }
        // Group commit: far fewer fsyncs than commits (one fsync per commit would be 2560).
        Assert.InRange(fsyncs, 1, writers * perWriter / 4);

        await using var reopened = DurableKv.Open(SmallOptions(dir.Path));
        for (int w = 0; w < writers; w++)
        {
            for (int i = 0; i < perWriter; i++)
            {
                Assert.Equal($"{w * 1000 + i}", Get(reopened, $"w{w}:{i}"));
            }
        }
    }

    [Fact]
    public async Task Relaxed_mode_acknowledges_after_apply_and_flushes_in_the_background()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        await using (var kv = DurableKv.Open(SmallOptions(live, Durability.Relaxed)))
        {
            for (int i = 0; i < 100; i++)
            {
                await kv.CommitAsync(Single($"k{i}", $"v{i}"));
            }

            Assert.Equal("v99", Get(kv, "k99"));
            // The background flush makes the tail durable within a few intervals.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (kv.Fsyncs == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            Assert.True(kv.Fsyncs > 0);
        }
        await using var reopened = DurableKv.Open(SmallOptions(live, Durability.Relaxed));
        Assert.Equal("v99", Get(reopened, "k99"));
    }

    [Fact]
    public async Task Checkpoints_proceed_while_readers_and_writers_run()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        using var cts = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            int i = 0;
            var batch = new WriteBatch();
            while (!cts.IsCancellationRequested)
            {
                batch.Clear();
                batch.Put(B($"w{w}"), B($"{i}"));
                batch.Put(B($"w{w}:copy"), B($"{i}"));
                await kv.CommitAsync(batch);
                // Both keys are written by one batch, so a reader never sees them differ after commit.
                Assert.Equal(Get(kv, $"w{w}"), Get(kv, $"w{w}:copy"));
                i++;
            }
        })).ToArray();
        for (int c = 0; c < 5; c++)
        {
            await kv.CheckpointAsync();
        }

        cts.Cancel();
        await Task.WhenAll(workers);
        Assert.True(kv.Checkpoints >= 5);
    }

    [Fact]
    public async Task Compaction_physically_removes_deleted_values_from_disk()
    {
        using var dir = new TempDirectory();
        byte[] marker = B("SECRET-MARKER-7f3a9c");
        var options = TinyOptions(dir.Path);
        await using (var kv = DurableKv.Open(options))
        {
            var batch = new WriteBatch();
            for (int i = 0; i < 20; i++)
            {
                batch.Clear();
                batch.Put(B($"secret{i}"), [.. marker, .. B($"-{i}")]);
                await kv.CommitAsync(batch);
            }
            batch.Clear();
            for (int i = 0; i < 20; i++)
            {
                batch.Delete(B($"secret{i}"));
            }

            await kv.CommitAsync(batch);

            // Push the deleted records far below the read-only boundary, with data that stays live.
            byte[] filler = new byte[900];
            Array.Fill(filler, (byte)'f');
            for (int i = 0; i < 600; i++)
            {
                batch.Clear();
                batch.Put(B($"filler{i}"), filler);
                await kv.CommitAsync(batch);
            }
            long before = kv.HybridLogBytes;
            long reclaimed = await kv.CompactAsync();
            Assert.True(reclaimed > 0);
            Assert.Equal(1, kv.Compactions);
            Assert.True(kv.HybridLogBytes < before);
            Assert.Null(Get(kv, "secret3"));
            Assert.Equal(900, kv.TryGet(B("filler5"), out byte[] f) ? f.Length : -1);
        }

        foreach (string file in Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories))
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(file);
            }
            catch (FileNotFoundException)
            {
                continue; // a truncated log segment whose deletion FASTER finished just now: not on disk
            }
            Assert.False(Contains(content, marker), $"deleted value still on disk in {file}");
        }

        await using var reopened = DurableKv.Open(options);
        Assert.Null(Get(reopened, "secret3"));
        Assert.Equal(900, reopened.TryGet(B("filler599"), out byte[] g) ? g.Length : -1);
    }

    [Fact]
    public async Task Background_maintenance_checkpoints_when_the_wal_grows()
    {
        using var dir = new TempDirectory();
        var options = new DurableKvOptions
        {
            Directory = dir.Path,
            CheckpointLogBytes = 64 << 10,
            MaintenanceTick = TimeSpan.FromMilliseconds(20),
            MemorySizeBits = 22,
            PageSizeBits = 18,
            SegmentSizeBits = 22,
            IndexSizeBits = 16,
            WalMemorySizeBits = 20,
            WalPageSizeBits = 18,
            WalSegmentSizeBits = 22,
        };
        await using var kv = DurableKv.Open(options);
        byte[] value = new byte[1000];
        for (int i = 0; i < 200; i++)
        {
            await kv.CommitAsync(Single(B($"k{i}"), value));
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (kv.Checkpoints == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(kv.Checkpoints > 0);
        Assert.Equal(0, kv.MaintenanceErrors);
    }

    [Fact]
    public async Task Disposed_store_rejects_use()
    {
        using var dir = new TempDirectory();
        var kv = DurableKv.Open(SmallOptions(dir.Path));
        kv.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kv.TryGet(B("a"), out _));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await kv.CommitAsync(Single("a", "b")));
    }

    private static WriteBatch Single(string key, string value) => Single(B(key), B(value));

    private static WriteBatch Single(byte[] key, byte[] value)
    {
        var batch = new WriteBatch();
        batch.Put(key, value);
        return batch;
    }

    private static long LastRecordStart(CommitHandle last)
    {
        // Each test batch here encodes to the same size, so the last record starts one record before its end.
        var probe = new WriteBatch();
        probe.Put(B("a9"), B("v9"));
        probe.Put(B("b9"), B("v9"));
        return last.WalAddress - FramedSize(probe.EncodedLength);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
