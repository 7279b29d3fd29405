// Retention: physically removes soft-deleted threads and messages older than retention.tttl/mttl,
// on demand (POST /admin/jobs/purge) and, when enabled, at the times retention.cron names.
using Prg.Api.Config;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class Retention(ChatStore store, RetentionConfig config, Log log) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _running = new(1, 1);
    private static readonly TimeSpan MaxSleepSlice = TimeSpan.FromHours(1);

    private Task? _loop;

    public async ValueTask<int> RunAsync()
    {
        await _running.WaitAsync();
        try
        {
            var now = Chat.UnixNanos.Now();
            var removed = await store.PurgeExpiredAsync(
                now - (long)config.ThreadTtl.TotalMilliseconds * 1_000_000,
                now - (long)config.MessageTtl.TotalMilliseconds * 1_000_000);
            log.Info("retention purge finished", LogField.Number("purged", removed));
            return removed;
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>
    /// When retention is enabled, runs the purge at every time <c>retention.cron</c> names (UTC), sleeping
    /// until the next one; a run that fails is logged and the schedule continues.
    /// </summary>
    /// <exception cref="FormatException">retention.cron is not a valid cron expression.</exception>
    public void Start(TimeProvider? timeProvider = null)
    {
        if (!config.Enabled)
        {
            return;
        }
        var schedule = CronSchedule.Parse(config.Cron);
        var time = timeProvider ?? TimeProvider.System;
        log.Info("retention scheduled", LogField.Text("cron", schedule.Expression),
            LogField.Text("next", schedule.Next(time.GetUtcNow().UtcDateTime).ToString("O")));
        _loop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await SleepUntilAsync(schedule.Next(time.GetUtcNow().UtcDateTime), time);
                    try
                    {
                        await RunAsync();
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        log.Error("retention purge failed", LogField.Error(e));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private async Task SleepUntilAsync(DateTime due, TimeProvider time)
    {
        // Sleep in bounded slices and re-read the clock, so a long wait (a yearly schedule) neither
        // exceeds Task.Delay's limit nor drifts when the wall clock is adjusted.
        while (true)
        {
            var remaining = due - time.GetUtcNow().UtcDateTime;
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }
            await Task.Delay(remaining < MaxSleepSlice ? remaining : MaxSleepSlice, time, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }
}
