// The write-ahead log's recovery contract: a torn tail (at any byte of the last record) is dropped and
// reported, damage with durable records after it refuses to open (one line naming file and offset),
// salvage opens and reports what it skipped, a missing segment refuses, and recycled segments never
// replay records from their previous lap.
using Prg.Storage.Engine;
using Prg.Storage.Engine.Wal;
using static Prg.Storage.Tests.KvTestUtil;

namespace Prg.Storage.Tests;

public sealed class WalRecoveryTests
{
    [Fact]
    public async Task Torn_tail_at_every_byte_of_the_last_record_is_dropped_and_nothing_before_it()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        CommitHandle last = default;
        int lastPayload = 0;
        await using (var kv = DurableKv.Open(SmallOptions(live)))
        {
            for (int i = 0; i < 4; i++)
            {
                WriteBatch batch = Batch($"k{i}", $"v{i}");
                lastPayload = batch.EncodedLength;
                last = kv.Apply(batch);
                await kv.WaitDurableAsync(last);
            }
            CopyDirectory(live, crashed);
        }
        long start = last.WalAddress - FramedSize(lastPayload);
        long recordEnd = start + WalHeaderSize + lastPayload;
        byte[] intact = File.ReadAllBytes(WalSegmentPath(crashed, 0));

        for (long cut = start; cut < recordEnd; cut++)
        {
            // The write stopped at `cut`: the rest of the record never reached the disk.
            byte[] torn = (byte[])intact.Clone();
            Array.Clear(torn, (int)cut, (int)(recordEnd - cut));
            File.WriteAllBytes(WalSegmentPath(crashed, 0), torn);
            string attempt = dir.Combine($"attempt-{cut}");
            CopyDirectory(crashed, attempt);

            await using (var recovered = DurableKv.Open(SmallOptions(attempt)))
            {
                Assert.Equal(3, recovered.LastRecoveryReplayCount);
                Assert.Equal(cut > start, recovered.LastRecoveryDroppedTornRecord);
                Assert.Null(Get(recovered, "k3"));
                for (int i = 0; i < 3; i++)
                {
                    Assert.Equal($"v{i}", Get(recovered, $"k{i}"));
                }
            }
            Directory.Delete(attempt, recursive: true);
        }
    }

    [Fact]
    public async Task A_damaged_record_with_durable_records_after_it_refuses_to_open_naming_file_and_offset()
    {
        using var dir = new TempDirectory();
        (string crashed, long damagedOffset) = await CrashedStoreWithDamagedMiddleRecordAsync(dir);

        var e = Assert.Throws<StoreOpenException>(() => DurableKv.Open(SmallOptions(crashed)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(WalSegmentPath(crashed, 0), e.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {damagedOffset} ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_durable_record_after_a_long_zero_run_still_makes_a_damaged_tail_refuse_to_open()
    {
        // The search past a damaged record jumps over zero runs: a record whose header starts with a
        // zero byte (a 256-byte payload's length) far behind the damage must still be found.
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        long last = 0;
        await using (var kv = DurableKv.Open(SmallOptions(live)))
        {
            for (int i = 0; i < 3; i++)
            {
                WriteBatch batch = Batch($"k{i}", $"v{i}");
                CommitHandle handle = kv.Apply(batch);
                await kv.WaitDurableAsync(handle);
                last = handle.WalAddress - FramedSize(batch.EncodedLength);
            }
            CopyDirectory(live, crashed);
        }
        FlipByte(WalSegmentPath(crashed, 0), last + WalHeaderSize + 8);
        const long laterLsn = 1 << 16;
        var record = new byte[WalRecordHeader.Size + 256];
        WalRecordHeader.Write(record, laterLsn, laterLsn, new byte[256]);
        using (var file = new FileStream(WalSegmentPath(crashed, 0), FileMode.Open, FileAccess.Write))
        {
            file.Position = laterLsn;
            file.Write(record);
        }

        var e = Assert.Throws<StoreOpenException>(() => DurableKv.Open(SmallOptions(crashed)));
        Assert.Contains($"(LSN {laterLsn})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Salvage_applies_what_verifies_and_reports_the_skipped_range()
    {
        using var dir = new TempDirectory();
        (string crashed, long damagedOffset) = await CrashedStoreWithDamagedMiddleRecordAsync(dir);
        var lines = new List<string>();

        await using (var kv = DurableKv.Open(SmallOptions(crashed, salvage: true, recoveryLog: lines.Add)))
        {
            (long from, long to) = Assert.Single(kv.SalvagedRanges);
            Assert.Equal(damagedOffset, from);
            Assert.True(to > from);
            Assert.Null(Get(kv, "k5"));
            for (int i = 0; i < 10; i++)
            {
                if (i != 5)
                {
                    Assert.Equal($"v{i}", Get(kv, $"k{i}"));
                }
            }
            Assert.Contains(lines, l => l.Contains($"offset {damagedOffset} ", StringComparison.Ordinal) && l.Contains("lost", StringComparison.Ordinal));
        }
        // Salvage checkpointed what it applied: the store now opens normally.
        await using var again = DurableKv.Open(SmallOptions(crashed));
        Assert.Equal("v9", Get(again, "k9"));
    }

    [Fact]
    public async Task A_missing_segment_the_log_needs_refuses_to_open()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        await using (var kv = DurableKv.Open(TinyOptions(live)))
        {
            // 16 KB segments: about 60 KB of records spans four of them.
            for (int i = 0; i < 60; i++)
            {
                await kv.CommitAsync(Batch($"k{i}", new string('x', 900)));
            }

            CopyDirectory(live, crashed);
        }
        Assert.True(File.Exists(WalSegmentPath(crashed, 3)));
        File.Delete(WalSegmentPath(crashed, 1));

        var e = Assert.Throws<StoreOpenException>(() => DurableKv.Open(TinyOptions(crashed)));
        Assert.Contains(WalSegmentPath(crashed, 1), e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_whose_log_was_deleted_refuses_to_open()
    {
        using var dir = new TempDirectory();
        string store = dir.Combine("store");
        await using (var kv = DurableKv.Open(SmallOptions(store)))
        {
            await kv.CommitAsync(Batch("k", "v"));
        }

        foreach (string segment in Directory.GetFiles(Path.Combine(store, "wal")))
        {
            File.Delete(segment);
        }

        var e = Assert.Throws<StoreOpenException>(() => DurableKv.Open(SmallOptions(store)));
        Assert.Contains(Path.Combine(store, "wal"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recycled_segments_never_replay_records_from_their_previous_lap()
    {
        using var dir = new TempDirectory();
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        await using (var kv = DurableKv.Open(TinyOptions(live)))
        {
            // Several laps over 16 KB segments: every checkpoint recycles the segments behind it.
            for (int lap = 0; lap < 6; lap++)
            {
                for (int i = 0; i < 40; i++)
                {
                    await kv.CommitAsync(Batch($"k{i}", $"lap{lap}-{new string('x', 300)}"));
                }

                await kv.CheckpointAsync();
            }
            Assert.True(Directory.GetFiles(Path.Combine(live, "wal"), "*.wal").Length <= 6, "segments are recycled, not accumulated");
            // The last lap writes fewer, smaller records: recycled bytes beyond them hold older, valid-looking records.
            for (int i = 0; i < 5; i++)
            {
                await kv.CommitAsync(Batch($"k{i}", "final"));
            }

            CopyDirectory(live, crashed);
        }

        await using var recovered = DurableKv.Open(TinyOptions(crashed));
        Assert.Equal(5, recovered.LastRecoveryReplayCount);
        Assert.False(recovered.LastRecoveryDroppedTornRecord);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("final", Get(recovered, $"k{i}"));
        }

        for (int i = 5; i < 40; i++)
        {
            Assert.StartsWith("lap5-", Get(recovered, $"k{i}"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_durable_wait_completes_when_traffic_stops_right_after_a_group_commit()
    {
        // B's record is appended first; A's commit starts a flush that covers it; B asks to wait a
        // little later, at varying moments, so some of its waits start while that flush is still
        // running. Then traffic stops. A lost wake-up shows as a wait that never completes.
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Combine("store")));
        for (int round = 0; round < 300; round++)
        {
            CommitHandle b = kv.Apply(Batch($"b{round}", "y"));
            ValueTask a = kv.CommitAsync(Batch($"a{round}", "x"));
            Thread.SpinWait(2000 * (round % 40));
            Task waitB = kv.WaitDurableAsync(b).AsTask();
            await Task.WhenAll(a.AsTask(), waitB).WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.Equal("y", Get(kv, "b299"));
    }

    // Ten durable single-record commits (each awaited, so each later record was appended after the
    // earlier ones were fsynced); the sixth record's payload is damaged in the crash copy.
    private static async Task<(string Crashed, long DamagedOffset)> CrashedStoreWithDamagedMiddleRecordAsync(TempDirectory dir)
    {
        string live = dir.Combine("live");
        string crashed = dir.Combine("crashed");
        long damaged = 0;
        await using (var kv = DurableKv.Open(SmallOptions(live)))
        {
            for (int i = 0; i < 10; i++)
            {
                WriteBatch batch = Batch($"k{i}", $"v{i}");
                CommitHandle handle = kv.Apply(batch);
                await kv.WaitDurableAsync(handle);
                if (i == 5)
                {
                    damaged = handle.WalAddress - FramedSize(batch.EncodedLength);
                }
            }
            CopyDirectory(live, crashed);
        }
        FlipByte(WalSegmentPath(crashed, 0), damaged + WalHeaderSize + 8);
        return (crashed, damaged);
    }

    private static WriteBatch Batch(string key, string value)
    {
        var batch = new WriteBatch();
        batch.Put(B(key), B(value));
        return batch;
    }
}
