// The histogram against an exact oracle: percentiles of a sorted array of the same random values.
namespace Prg.Bench.Tests;

public class LatencyHistogramTests
{
    public static TheoryData<string, int> Distributions => new()
    {
        { "uniform", 1 },
        { "uniform", 2 },
        { "log-uniform", 3 },
        { "log-uniform", 4 },
        { "bimodal", 5 },
        { "few", 6 },
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Percentiles_match_a_sorted_array_within_the_stated_precision(string distribution, int seed)
    {
        var random = new Random(seed);
        int count = distribution == "few" ? 7 : 20_000;
        long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = distribution switch
            {
                "uniform" => random.NextInt64(LatencyHistogram.LowestTrackable, 50_000_000),
                "log-uniform" => (long)Math.Exp(random.NextDouble() * (Math.Log(LatencyHistogram.HighestTrackable) - Math.Log(LatencyHistogram.LowestTrackable)) + Math.Log(LatencyHistogram.LowestTrackable)),
                "bimodal" => random.Next(2) == 0 ? random.NextInt64(20_000, 40_000) : random.NextInt64(5_000_000, 9_000_000),
                _ => random.NextInt64(1_000, 10_000_000_000),
            };
        }

        var histogram = new LatencyHistogram();
        foreach (long value in values)
        {
            histogram.Record(value);
        }

        long[] sorted = [.. values.Order()];
        foreach (double p in (double[])[0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100])
        {
            long rank = Math.Max(1, (long)Math.Ceiling(p / 100 * count));
            long exact = sorted[rank - 1];
            long reported = histogram.GetValueAtPercentile(p);
            double tolerance = Math.Max(1, exact * LatencyHistogram.RelativePrecision);
            Assert.True(Math.Abs(reported - exact) <= tolerance,
                $"{distribution} p{p}: histogram {reported} ns, exact {exact} ns (tolerance {tolerance:0})");
        }

        Assert.Equal(count, histogram.Count);
        Assert.Equal(sorted[0], histogram.Min);
        Assert.Equal(sorted[^1], histogram.Max);
        Assert.Equal(values.Average(v => (double)v), histogram.Mean, 1e-6 * histogram.Mean);
    }

    [Fact]
    public void Adding_histograms_equals_recording_everything_in_one()
    {
        var random = new Random(11);
        var parts = new[] { new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram() };
        var whole = new LatencyHistogram();
        for (int i = 0; i < 5000; i++)
        {
            long value = random.NextInt64(1_000, 100_000_000);
            parts[i % 3].Record(value);
            whole.Record(value);
        }

        var merged = new LatencyHistogram();
        foreach (LatencyHistogram part in parts)
        {
            merged.Add(part);
        }

        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Min, merged.Min);
        Assert.Equal(whole.Max, merged.Max);
        foreach (double p in (double[])[1, 50, 90, 99, 99.9])
        {
            Assert.Equal(whole.GetValueAtPercentile(p), merged.GetValueAtPercentile(p));
        }
    }

    [Fact]
    public void Values_outside_the_trackable_range_are_counted_and_reported_within_what_was_recorded()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(10);                                         // below 1 µs
        histogram.Record(LatencyHistogram.HighestTrackable * 2);      // above 60 s
        histogram.Record(-5);                                         // clock went backwards: zero

        Assert.Equal(3, histogram.Count);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(LatencyHistogram.HighestTrackable * 2, histogram.Max);
        Assert.True(histogram.GetValueAtPercentile(50) <= LatencyHistogram.LowestTrackable * 1.01);
        Assert.True(histogram.GetValueAtPercentile(100) >= LatencyHistogram.HighestTrackable * 0.99);
    }

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.GetValueAtPercentile(99));
        Assert.Equal(0, histogram.Min);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.Mean);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void A_percentile_outside_0_to_100_is_rejected(double percentile)
    {
        var histogram = new LatencyHistogram();
        histogram.Record(5000);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetValueAtPercentile(percentile));
    }
}
