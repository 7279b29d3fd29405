// The data directory's lock: one store per directory, and a store closed in this process can be
// reopened at once even while this process starts children (which hold inherited descriptors until exec).
using System.Diagnostics;
using Prg.Storage.Engine;
using Xunit;
using static Prg.Storage.Tests.KvTestUtil;

namespace Prg.Storage.Tests;

public sealed class DataDirectoryLockTests
{
    [Fact]
    public void A_second_open_in_the_same_process_is_refused()
    {
        using var dir = new TempDirectory();
        using var first = DurableKv.Open(SmallOptions(dir.Path));
        var e = Assert.Throws<StoreOpenException>(() => DurableKv.Open(SmallOptions(dir.Path)));
        Assert.Contains("already open in this process", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopening_while_children_start_never_sees_the_directory_held()
    {
        using var dir = new TempDirectory();
        using var stop = new CancellationTokenSource();
        int started = 0;
        Task spawner = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
                child.WaitForExit();
                Interlocked.Increment(ref started);
            }
        });
        try
        {
            // Keep going until children have been started throughout many close/open pairs.
            for (int round = 0; round < 200 || Volatile.Read(ref started) < 30; round++)
            {
                var kv = DurableKv.Open(SmallOptions(dir.Path, Durability.Relaxed));
                await kv.DisposeAsync();
            }
        }
        finally
        {
            stop.Cancel();
            await spawner;
        }
    }
}
