// Sizes, durations, booleans and numbers as config files write them.
using Prg.Api.Config;

namespace Prg.Api.Tests.Config;

public class ConfigValueParserTests
{
    [Theory]
    [InlineData("512", 512L)]
    [InlineData("0", 0L)]
    [InlineData("100KB", 102400L)]
    [InlineData("100kb", 102400L)]
    [InlineData("100 KB", 102400L)]
    [InlineData("1K", 1024L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("1MB", 1048576L)]
    [InlineData("64MB", 67108864L)]
    [InlineData("2GB", 2147483648L)]
    [InlineData("1TB", 1099511627776L)]
    [InlineData("10B", 10L)]
    [InlineData("1_000", 1000L)]
    [InlineData(" 8KB ", 8192L)]
    public void ParsesSizes(string text, long expected)
    {
        Assert.Equal(expected, ConfigValueParser.ParseSize(text));
    }

    [Theory]
    [InlineData("-1", "negative")]
    [InlineData("-5KB", "negative")]
    [InlineData("KB", "expected a size")]
    [InlineData("", "expected a size")]
    [InlineData("1.5MB", "unknown size unit")]
    [InlineData("10XB", "unknown size unit")]
    [InlineData("99999999999999999999", "too large")]
    [InlineData("9000000TB", "too large")]
    public void RejectsBadSizes(string text, string fragment)
    {
        var ex = Assert.Throws<FormatException>(() => ConfigValueParser.ParseSize(text));
        Assert.Contains(fragment, ex.Message);
    }

    [Theory]
    [InlineData("100ms", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("1m", TimeSpan.TicksPerMinute)]
    [InlineData("720h", 720 * TimeSpan.TicksPerHour)]
    [InlineData("1h30m", 90 * TimeSpan.TicksPerMinute)]
    [InlineData("1.5h", 90 * TimeSpan.TicksPerMinute)]
    [InlineData("2d", 2 * TimeSpan.TicksPerDay)]
    [InlineData("250us", 2500L)]
    [InlineData("250µs", 2500L)]
    [InlineData("300ns", 3L)]
    [InlineData("0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData("30", 30 * TimeSpan.TicksPerSecond)]
    [InlineData("2.5", 25 * TimeSpan.TicksPerSecond / 10)]
    public void ParsesDurations(string text, long expectedTicks)
    {
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), ConfigValueParser.ParseDuration(text));
    }

    [Theory]
    [InlineData("-5s", "negative")]
    [InlineData("5", null)]
    [InlineData("5x", "unknown unit")]
    [InlineData("s", "expected a duration")]
    [InlineData("", "empty")]
    [InlineData("1h30", "missing unit")]
    [InlineData("99999999999h", "too large")]
    public void RejectsBadDurations(string text, string? fragment)
    {
        if (fragment is null)
        {
            // Control row: a bare number is seconds, so this one must parse.
            Assert.Equal(TimeSpan.FromSeconds(5), ConfigValueParser.ParseDuration(text));
            return;
        }

        var ex = Assert.Throws<FormatException>(() => ConfigValueParser.ParseDuration(text));
        Assert.Contains(fragment, ex.Message);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    [InlineData("off", false)]
    [InlineData("0", false)]
    public void ParsesBooleans(string text, bool expected)
    {
        Assert.Equal(expected, ConfigValueParser.ParseBool(text));
    }

    [Fact]
    public void RejectsNonBoolean()
    {
        Assert.Throws<FormatException>(() => ConfigValueParser.ParseBool("maybe"));
    }

    [Theory]
    [InlineData("100_000", 100_000L)]
    [InlineData("1000_0000", 10_000_000L)]
    [InlineData("-3", -3L)]
    [InlineData("+7", 7L)]
    public void ParsesIntegersWithDigitSeparators(string text, long expected)
    {
        Assert.Equal(expected, ConfigValueParser.ParseInteger(text));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("abc")]
    [InlineData("")]
    public void RejectsBadIntegers(string text)
    {
        Assert.Throws<FormatException>(() => ConfigValueParser.ParseInteger(text));
    }

    [Theory]
    [InlineData("2.5", 2.5)]
    [InlineData("1_000.5", 1000.5)]
    [InlineData("10", 10.0)]
    public void ParsesNumbers(string text, double expected)
    {
        Assert.Equal(expected, ConfigValueParser.ParseNumber(text));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("x")]
    public void RejectsNonFiniteOrBadNumbers(string text)
    {
        Assert.Throws<FormatException>(() => ConfigValueParser.ParseNumber(text));
    }
}
