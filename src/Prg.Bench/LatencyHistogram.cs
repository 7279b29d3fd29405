// HDR-style latency histogram: log-linear buckets from 1 µs to 60 s with 128 sub-buckets per power of
// two, so any recorded value is reported within 0.8% while recording stays one array increment.
using System.Diagnostics;
using System.Numerics;

namespace Prg.Bench;

/// <summary>
/// Records latencies in nanoseconds. Values below <see cref="LowestTrackable"/> count in the lowest
/// bucket and values above <see cref="HighestTrackable"/> in the highest; <see cref="Min"/> and
/// <see cref="Max"/> are exact. Not thread-safe: give each worker its own and <see cref="Add"/> them.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>1 µs.</summary>
    public const long LowestTrackable = 1_000;

    /// <summary>60 s.</summary>
    public const long HighestTrackable = 60_000_000_000;

    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;
    private static readonly int s_lowestOctave = BitOperations.Log2(LowestTrackable);
    private static readonly int s_highestOctave = BitOperations.Log2(HighestTrackable);

    private readonly long[] _counts = new long[(s_highestOctave - s_lowestOctave + 1) * SubBucketCount];
    private long _count;
    private long _min = long.MaxValue;
    private long _max;
    private double _sum;

    /// <summary>Largest relative distance between a recorded value and the value reported for it.</summary>
    public static double RelativePrecision => 1.0 / SubBucketCount;

    public long Count => _count;

    /// <summary>Smallest recorded value (ns); 0 when empty.</summary>
    public long Min => _count == 0 ? 0 : _min;

    /// <summary>Largest recorded value (ns); 0 when empty.</summary>
    public long Max => _max;

    /// <summary>Mean of the recorded values (ns, exact); 0 when empty.</summary>
    public double Mean => _count == 0 ? 0 : _sum / _count;

    /// <summary>Converts a <see cref="Stopwatch"/> tick interval to nanoseconds.</summary>
    public static long TicksToNanoseconds(long ticks) =>
        Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>Records one value in nanoseconds (negative values count as zero).</summary>
    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(nanoseconds)]++;
        _count++;
        _sum += nanoseconds;
        if (nanoseconds < _min)
        {
            _min = nanoseconds;
        }

        if (nanoseconds > _max)
        {
            _max = nanoseconds;
        }
    }

    /// <summary>Adds every value recorded in <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        if (other._count > 0)
        {
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
        }

        _count += other._count;
        _sum += other._sum;
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0..100): the recorded value of rank
    /// ceil(p/100 × count), within <see cref="RelativePrecision"/>. 0 when empty.
    /// </summary>
    public long GetValueAtPercentile(double percentile)
    {
        if (double.IsNaN(percentile) || percentile < 0 || percentile > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "must be between 0 and 100");
        }

        if (_count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * _count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                // The bucket's midpoint, kept inside what was really recorded.
                return Math.Clamp(LowerBound(i) + (BucketWidth(i) / 2), Min, Max);
            }
        }

        return Max;
    }

    private static int IndexOf(long value)
    {
        value = Math.Clamp(value, LowestTrackable, HighestTrackable);
        int octave = BitOperations.Log2((ulong)value);
        int sub = (int)(value >> (octave - SubBucketBits)) - SubBucketCount;
        return ((octave - s_lowestOctave) * SubBucketCount) + sub;
    }

    private static long LowerBound(int index)
    {
        int octave = (index / SubBucketCount) + s_lowestOctave;
        long sub = (index % SubBucketCount) + SubBucketCount;
        return sub << (octave - SubBucketBits);
    }

    private static long BucketWidth(int index) => 1L << ((index / SubBucketCount) + s_lowestOctave - SubBucketBits);
}
