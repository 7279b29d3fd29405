// Whether the external key service answers, for /readyz (spec/api.md §4: 503 until storage and the
// KMS are up). /readyz is public, so the service is asked at most once a second and concurrent
// probes share one call: a flood of /readyz is not a flood of key-service requests.
using System.Diagnostics;
using Prg.Crypto;

namespace Prg.Api.Handlers;

public sealed class KeyServiceProbe(Func<CancellationToken, ValueTask> check)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Task<bool>? _last;
    private long _startedAt;

    /// <summary>True when the service answered its health check (within the last <see cref="MaxAge"/>).</summary>
    public Task<bool> IsUpAsync()
    {
        lock (_lock)
        {
            if (_last is null || (_last.IsCompleted && Stopwatch.GetElapsedTime(_startedAt) >= MaxAge))
            {
                _startedAt = Stopwatch.GetTimestamp();
                _last = AskAsync();
            }
            return _last;
        }
    }

    // The client's own deadline bounds the call; a service that is down, slow or shutting down is "not up".
    private async Task<bool> AskAsync()
    {
        try
        {
            await check(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is CryptoException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }
}
