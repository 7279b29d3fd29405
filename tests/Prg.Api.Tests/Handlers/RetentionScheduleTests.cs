// Retention on its cron schedule: the job sleeps exactly until the next time retention.cron names (UTC),
// purges then, and sleeps until the following one. Driven by a manual clock, so nothing waits on real time.
using System.Text;
using Prg.Api.Chat;
using Prg.Api.Config;
using Prg.Api.Handlers;
using Prg.Logging;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api.Tests.Handlers;

public sealed class RetentionScheduleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<DateTimeOffset> NextTimerAsync(ManualTimeProvider clock, DateTimeOffset after)
    {
        // The loop runs on the thread pool; wait (without any timing assertion) until it has armed its timer.
        for (var i = 0; i < 2000; i++)
        {
            var pending = clock.PendingDueTimes().Where(d => d > after).ToList();
            if (pending.Count > 0)
            {
                return pending.Single();
            }
            await Task.Delay(5);
        }
        throw new TimeoutException("the retention loop never armed a timer");
    }

    [Fact]
    public async Task SleepsUntilEachCronTimeAndPurgesThen()
    {
        await using var store = ChatStore.Open(new ChatStoreOptions { Kv = new DurableKvOptions { Directory = Path.Combine(_dir.Path, "store") } });
        var thread = store.NewThreadId();
        await store.CreateThreadAsync(thread, "alice", [1], [], UnixNanos.Now());
        Assert.True(await store.DeleteThreadAsync(thread, UnixNanos.Now()));

        var output = new StringWriter();
        using var log = new Log(TextWriter.Synchronized(output), LogLevel.Info);
        var config = new RetentionConfig { Enabled = true, Cron = "*/30 * * * *", MessageTtl = TimeSpan.Zero, ThreadTtl = TimeSpan.Zero };
        var start = new DateTimeOffset(2025, 11, 28, 10, 15, 30, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start);
        await using var retention = new Retention(store, config, log);
        retention.Start(clock);

        var due = await NextTimerAsync(clock, start);
        Assert.Equal(new DateTimeOffset(2025, 11, 28, 10, 30, 0, TimeSpan.Zero), due);
        Assert.NotNull(store.GetThread(thread));

        clock.Advance(due - start);
        var next = await NextTimerAsync(clock, due);
        Assert.Equal(new DateTimeOffset(2025, 11, 28, 11, 0, 0, TimeSpan.Zero), next);
        Assert.Null(store.GetThread(thread));
        Assert.Contains("\"msg\":\"retention purge finished\",\"purged\":1", output.ToString());
        Assert.Contains("\"cron\":\"*/30 * * * *\"", output.ToString());
    }

    [Fact]
    public async Task DisabledRetentionNeverSchedulesAndAnInvalidCronIsRefused()
    {
        await using var store = ChatStore.Open(new ChatStoreOptions { Kv = new DurableKvOptions { Directory = Path.Combine(_dir.Path, "store2") } });
        using var log = new Log(new StringWriter(), LogLevel.Info);
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using (var off = new Retention(store, new RetentionConfig { Enabled = false, Cron = "* * * * *" }, log))
        {
            off.Start(clock);
            await Task.Delay(50);
            Assert.Empty(clock.PendingDueTimes());
        }
        await using var bad = new Retention(store, new RetentionConfig { Enabled = true, Cron = "every hour" }, log);
        Assert.Throws<FormatException>(() => bad.Start(clock));
    }
}
