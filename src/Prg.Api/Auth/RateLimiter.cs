// Per-API-key rate limiting: one TokenBucket per key index of the ApiKeyRing (an array, so the hot path
// does no dictionary lookup and allocates nothing). A rate of 0 turns limiting off.
using Prg.Api.Config;

namespace Prg.Api.Auth;

public sealed class RateLimiter
{
    private readonly TokenBucket[]? _buckets;
    private readonly TimeProvider _time;
    private readonly long _origin;

    public RateLimiter(int keyCount, double ratePerSecond, int burst, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyCount);
        if (!double.IsFinite(ratePerSecond) || ratePerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "The rate must be 0 (off) or positive.");
        }

        _time = timeProvider ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        if (ratePerSecond > 0)
        {
            _buckets = new TokenBucket[keyCount];
            for (int i = 0; i < keyCount; i++)
            {
                _buckets[i] = new TokenBucket(ratePerSecond, burst);
            }
        }
    }

    public bool IsEnabled => _buckets is not null;

    public static RateLimiter FromConfig(RateLimitConfig config, ApiKeyRing keys, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keys);
        return new RateLimiter(keys.Count, config.Rps, config.Burst, timeProvider);
    }

    /// <summary>
    /// Takes a token for the key at <paramref name="keyIndex"/> (from <see cref="ApiKeyMatch.KeyIndex"/>).
    /// On refusal <paramref name="retryAfterSeconds"/> is the Retry-After value (at least 1).
    /// </summary>
    public bool TryAcquire(int keyIndex, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (_buckets is null)
        {
            return true;
        }

        if ((uint)keyIndex >= (uint)_buckets.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(keyIndex), keyIndex, "No API key has this index.");
        }

        long now = _time.GetElapsedTime(_origin).Ticks;
        TokenBucket bucket = _buckets[keyIndex];
        if (bucket.TryTake(now))
        {
            return true;
        }

        retryAfterSeconds = Math.Max(1, bucket.RetryAfterSeconds(now));
        return false;
    }
}
