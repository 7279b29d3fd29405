// TokenBucket and RateLimiter: burst, refill arithmetic and Retry-After with an injected clock, and that
// concurrent takers never get more tokens than the bucket holds.
using Prg.Api.Auth;
using Prg.Api.Config;

namespace Prg.Api.Tests.Auth;

public class TokenBucketTests
{
    private const long Second = TimeSpan.TicksPerSecond;

    [Fact]
    public void AllowsExactlyBurstRequestsAtOnce()
    {
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 5);
        long now = 1_000 * Second;

        for (int i = 0; i < 5; i++)
        {
            Assert.True(bucket.TryTake(now), $"request {i} within the burst");
        }

        Assert.False(bucket.TryTake(now));
    }

    [Fact]
    public void RefillsOneTokenPerIntervalUpToBurst()
    {
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 5);
        long now = 0;
        Drain(bucket, now, 5);

        // 10 per second: one token every 100 ms.
        Assert.False(bucket.TryTake(now + (Second / 10) - 1));
        Assert.True(bucket.TryTake(now + (Second / 10)));
        Assert.False(bucket.TryTake(now + (Second / 10)));

        // 250 ms later: two more tokens (not two and a half).
        now += (Second / 10) + (Second / 4);
        Assert.Equal(2, Drain(bucket, now, 10));

        // A long idle period refills to the burst size, never beyond.
        now += 3600 * Second;
        Assert.Equal(5, Drain(bucket, now, 100));
    }

    [Fact]
    public void SustainedRateMatchesConfiguredRate()
    {
        var bucket = new TokenBucket(ratePerSecond: 1000, burst: 1);
        int granted = 0;

        // Try every 100 microseconds for 2 seconds: ten attempts per token interval.
        for (long t = 0; t < 2 * Second; t += Second / 10_000)
        {
            if (bucket.TryTake(t))
            {
                granted++;
            }
        }

        Assert.Equal(2000, granted);
    }

    [Fact]
    public void FractionalRatesWork()
    {
        var bucket = new TokenBucket(ratePerSecond: 0.5, burst: 1);

        Assert.True(bucket.TryTake(0));
        Assert.False(bucket.TryTake((2 * Second) - 1));
        Assert.Equal(1, bucket.RetryAfterSeconds((2 * Second) - 1));
        Assert.True(bucket.TryTake(2 * Second));
    }

    [Fact]
    public void RetryAfterIsWholeSecondsRoundedUp()
    {
        var bucket = new TokenBucket(ratePerSecond: 0.25, burst: 2);
        Assert.Equal(0, bucket.RetryAfterSeconds(0));
        Drain(bucket, 0, 2);

        // Next token at 4 s.
        Assert.Equal(4, bucket.RetryAfterSeconds(0));
        Assert.Equal(4, bucket.RetryAfterSeconds(1));
        Assert.Equal(3, bucket.RetryAfterSeconds(Second));
        Assert.Equal(1, bucket.RetryAfterSeconds((4 * Second) - 1));
        Assert.Equal(0, bucket.RetryAfterSeconds(4 * Second));
    }

    [Fact]
    public void WorksWithNegativeClockOrigins()
    {
        var bucket = new TokenBucket(ratePerSecond: 1, burst: 1);

        Assert.True(bucket.TryTake(-10 * Second));
        Assert.False(bucket.TryTake(-10 * Second));
        Assert.True(bucket.TryTake(-9 * Second));
    }

    [Fact]
    public void ConcurrentTakersNeverExceedTheBurst()
    {
        var bucket = new TokenBucket(ratePerSecond: 1, burst: 1000);
        int granted = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (int i = 0; i < 1000; i++)
            {
                if (bucket.TryTake(0))
                {
                    Interlocked.Increment(ref granted);
                }
            }
        });

        Assert.Equal(1000, granted);
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(-1.0, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(1e8, 1)]
    [InlineData(10.0, 0)]
    public void RejectsInvalidParameters(double rate, int burst)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(rate, burst));
    }

    [Fact]
    public void RateLimiterKeepsOneBucketPerKeyOnTheInjectedClock()
    {
        var clock = new ManualTimeProvider();
        var limiter = new RateLimiter(keyCount: 2, ratePerSecond: 1, burst: 2, clock);

        Assert.True(limiter.IsEnabled);
        Assert.True(limiter.TryAcquire(0, out _));
        Assert.True(limiter.TryAcquire(0, out _));
        Assert.False(limiter.TryAcquire(0, out int retryAfter));
        Assert.Equal(1, retryAfter);

        // Another key has its own bucket.
        Assert.True(limiter.TryAcquire(1, out int noWait));
        Assert.Equal(0, noWait);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(0, out _));
        Assert.False(limiter.TryAcquire(0, out _));
    }

    [Fact]
    public void RateLimiterRetryAfterIsAtLeastOneSecond()
    {
        var clock = new ManualTimeProvider();
        var limiter = new RateLimiter(keyCount: 1, ratePerSecond: 1000, burst: 1, clock);

        Assert.True(limiter.TryAcquire(0, out _));
        Assert.False(limiter.TryAcquire(0, out int retryAfter));
        Assert.Equal(1, retryAfter);
    }

    [Fact]
    public void RateLimiterWithZeroRateIsOff()
    {
        var limiter = RateLimiter.FromConfig(new RateLimitConfig { Rps = 0, Burst = 0 }, new ApiKeyRing(["a"], [], []));

        Assert.False(limiter.IsEnabled);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(limiter.TryAcquire(0, out _));
        }
    }

    [Fact]
    public void RateLimiterRejectsUnknownKeyIndex()
    {
        var limiter = new RateLimiter(keyCount: 1, ratePerSecond: 1, burst: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire(1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire(-1, out _));
    }

    private static int Drain(TokenBucket bucket, long now, int max)
    {
        int taken = 0;
        while (taken < max && bucket.TryTake(now))
        {
            taken++;
        }

        return taken;
    }

    private sealed class ManualTimeProvider : TimeProvider
    {
        private long _timestamp = 123_456_789;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _timestamp;

        public void Advance(TimeSpan by) => _timestamp += by.Ticks;
    }
}
