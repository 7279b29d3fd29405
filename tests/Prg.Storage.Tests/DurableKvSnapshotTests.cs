// DurableKv.OpenSnapshotAsync: the pinned files, copied while writes continue, recover to exactly the
// state at the snapshot's point; checkpoints wait while a snapshot is open.
using Prg.Storage.Engine;
using static Prg.Storage.Tests.KvTestUtil;

namespace Prg.Storage.Tests;

public sealed class DurableKvSnapshotTests
{
    [Fact]
    public async Task SnapshotCopiedWhileWritesContinueRecoversExactlyTheStateAtItsPoint()
    {
        using var dir = new TempDirectory();
        string live = Path.Combine(dir.Path, "live");
        string copy = Path.Combine(dir.Path, "copy");
        int atPoint = -1;
        await using (DurableKv kv = DurableKv.Open(TinyOptions(live)))
        {
            using var stop = new CancellationTokenSource();
            int written = 0;
            Task writer = Task.Run(async () =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    var batch = new WriteBatch();
                    batch.Put(B($"k{i}"), B($"value {i} " + new string('x', i % 200)));
                    batch.Put(B($"index{i}"), B($"k{i}")); // two keys in one batch: never half in a snapshot
                    await kv.CommitAsync(batch);
                    Volatile.Write(ref written, i + 1);
                }
            });
            await WaitForAsync(() => Volatile.Read(ref written) > 2000);
            await kv.CheckpointAsync();
            await WaitForAsync(() => Volatile.Read(ref written) > 3000);

            using (StoreSnapshot snapshot = await kv.OpenSnapshotAsync(() => atPoint = CountPresent(kv)))
            {
                int atOpen = Volatile.Read(ref written);
                Task checkpoint = kv.CheckpointAsync();
                await WaitForAsync(() => Volatile.Read(ref written) > atOpen + 500); // writes go on meanwhile
                CopyTo(snapshot, copy);
                Assert.False(checkpoint.IsCompleted, "a checkpoint ran while the snapshot was open");
                Assert.Contains(snapshot.Files, f => f.Path.StartsWith("wal/", StringComparison.Ordinal) && f.PadTo == snapshot.WalSegmentSize);
                // Only the checkpoint the snapshot took, not the superseded one FASTER deletes lazily.
                Assert.Single(snapshot.Files.Where(f => f.Path.StartsWith("kv/checkpoints/", StringComparison.Ordinal)).Select(f => f.Path.Split('/')[3]).Distinct());
                snapshot.Dispose();
                await checkpoint;
            }
            await stop.CancelAsync();
            await writer;
        }

        Assert.True(atPoint > 3000);
        await using DurableKv restored = DurableKv.Open(TinyOptions(copy));
        Assert.Equal(atPoint, CountPresent(restored));
        for (int i = 0; i < atPoint; i++)
        {
            Assert.True(restored.TryGet(B($"k{i}"), out byte[] value));
            Assert.Equal($"value {i} " + new string('x', i % 200), S(value));
            Assert.True(restored.ContainsKey(B($"index{i}")));
        }
        Assert.False(restored.ContainsKey(B($"index{atPoint}")));
    }

    // Keys are written in order by one writer: the count is the first absent index.
    private static int CountPresent(DurableKv kv)
    {
        int n = 0;
        while (kv.ContainsKey(B($"k{n}")))
        {
            n++;
        }

        return n;
    }

    private static void CopyTo(StoreSnapshot snapshot, string target)
    {
        var buffer = new byte[64 * 1024];
        foreach (SnapshotFile file in snapshot.Files)
        {
            string path = Path.Combine(target, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            for (long offset = 0; offset < file.Length;)
            {
                int n = snapshot.Read(file, offset, buffer);
                output.Write(buffer, 0, n);
                offset += n;
            }
            if (file.PadTo > file.Length)
            {
                output.SetLength(file.PadTo);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }
}
