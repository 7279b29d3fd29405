// A lock-free token bucket (rate `rps` tokens per second, capacity `burst`) in its GCRA form: the whole
// state is one "theoretical arrival time" updated with a compare-and-swap, so concurrent requests on one
// key never lock. Time is passed in by the caller as TimeSpan ticks from any monotonic origin, which keeps
// the arithmetic testable with an injected clock.
namespace Prg.Api.Auth;

public sealed class TokenBucket
{
    /// <summary>Highest supported rate: one token per tick (100 ns).</summary>
    public const double MaxRatePerSecond = TimeSpan.TicksPerSecond;

    private readonly long _interval;
    private readonly long _tolerance;
    private long _theoreticalArrival = long.MinValue;

    public TokenBucket(double ratePerSecond, int burst)
    {
        if (!double.IsFinite(ratePerSecond) || ratePerSecond <= 0 || ratePerSecond > MaxRatePerSecond)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, $"The rate must be greater than 0 and at most {MaxRatePerSecond} per second.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);

        _interval = Math.Max(1, (long)Math.Round(TimeSpan.TicksPerSecond / ratePerSecond));

        // Bounded so that `now + tolerance` can never overflow for any realistic clock value.
        _tolerance = (long)Math.Min((double)burst * _interval, long.MaxValue / 4);
    }

    /// <summary>Takes one token if available at <paramref name="nowTicks"/>.</summary>
    public bool TryTake(long nowTicks)
    {
        while (true)
        {
            long current = Volatile.Read(ref _theoreticalArrival);
            long next = Math.Max(current, nowTicks) + _interval;
            if (next - nowTicks > _tolerance)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _theoreticalArrival, next, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Whole seconds (rounded up, at least 1 when empty) until a token is available; 0 if one is available now.</summary>
    public int RetryAfterSeconds(long nowTicks)
    {
        long current = Volatile.Read(ref _theoreticalArrival);
        long wait = Math.Max(current, nowTicks) + _interval - _tolerance - nowTicks;
        if (wait <= 0)
        {
            return 0;
        }

        long seconds = (wait + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return (int)Math.Min(seconds, int.MaxValue);
    }
}
