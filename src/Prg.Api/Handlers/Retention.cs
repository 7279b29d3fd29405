// Retention: physically removes soft-deleted threads and messages older than retention.tttl/mttl,
// on demand (POST /admin/jobs/purge) and, when enabled, on a timer.
using Prg.Api.Config;
using Prg.Api.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class Retention(ChatStore store, RetentionConfig config, Log log) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _running = new(1, 1);
    private Task? _loop;

    public async ValueTask<int> RunAsync()
    {
        await _running.WaitAsync();
        try
        {
            var now = Handlers.UnixNanos.Now();
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

    /// <summary>Runs the purge periodically when retention is enabled (checked hourly against the schedule).</summary>
    public void Start(TimeSpan interval)
    {
        if (!config.Enabled)
        {
            return;
        }
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
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
