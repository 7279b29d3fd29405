// A lock-free latency histogram with fixed bucket bounds (for the WAL's fdatasync latency, exported as
// prg_storage_commit_seconds): one Interlocked add per observation.
using System.Diagnostics;

namespace Prg.Storage.Engine;

/// <summary>Counts of observations per bucket, plus their sum.</summary>
public sealed class LatencyHistogram
{
    private static readonly double[] s_bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private readonly long[] _counts = new long[s_bounds.Length + 1];
    private long _sumTicks;

    /// <summary>Upper bounds of the buckets in seconds (the last bucket, +Inf, is implicit).</summary>
    public static IReadOnlyList<double> BucketBounds => s_bounds;

    /// <summary>Observations in bucket <paramref name="bucket"/> (not cumulative; index Count is +Inf).</summary>
    public long CountIn(int bucket) => Volatile.Read(ref _counts[bucket]);

    /// <summary>Sum of all observations in seconds.</summary>
    public double SumSeconds => (double)Interlocked.Read(ref _sumTicks) / Stopwatch.Frequency;

    public void Record(long elapsedTicks)
    {
        double seconds = (double)elapsedTicks / Stopwatch.Frequency;
        int bucket = 0;
        while (bucket < s_bounds.Length && seconds > s_bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, elapsedTicks);
    }
}
