// Log: every line is one JSON object with ts/level/msg and typed fields, levels filter, escaping is right,
// concurrent writers never interleave, and a filtered call allocates nothing.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Prg.Logging;

namespace Prg.Api.Tests.Logging;

public class LogTests
{
    private static readonly DateTimeOffset s_fixedTime = new(2025, 11, 7, 12, 34, 56, 789, TimeSpan.Zero);

    [Fact]
    public void WritesOneJsonObjectPerLineWithTimestampLevelMessageAndTypedFields()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug, new FixedTimeProvider(s_fixedTime.AddTicks(1234)));

        log.Info("server started",
            LogField.Text("address", "127.0.0.1:8080"),
            LogField.Number("workers", 2),
            LogField.Number("ratio", 0.25),
            LogField.Bool("encrypted", true),
            LogField.Duration("startup", TimeSpan.FromMilliseconds(12.5)),
            LogField.Text("missing", null));

        string[] lines = Lines(stream);
        Assert.Single(lines);
        using JsonDocument doc = JsonDocument.Parse(lines[0]);
        JsonElement root = doc.RootElement;
        Assert.Equal("2025-11-07T12:34:56.789123Z", root.GetProperty("ts").GetString());
        Assert.Equal("info", root.GetProperty("level").GetString());
        Assert.Equal("server started", root.GetProperty("msg").GetString());
        Assert.Equal("127.0.0.1:8080", root.GetProperty("address").GetString());
        Assert.Equal(2, root.GetProperty("workers").GetInt64());
        Assert.Equal(0.25, root.GetProperty("ratio").GetDouble());
        Assert.True(root.GetProperty("encrypted").GetBoolean());
        Assert.Equal(12.5, root.GetProperty("startup").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("missing").ValueKind);
        Assert.Equal(["ts", "level", "msg", "address", "workers", "ratio", "encrypted", "startup", "missing"],
            root.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void TimestampIsRfc3339Utc()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Info);

        log.Info("now");

        string ts = JsonDocument.Parse(Lines(stream)[0]).RootElement.GetProperty("ts").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", ts);
        DateTime parsed = DateTime.Parse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(parsed, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));
    }

    [Fact]
    public void LevelsBelowTheMinimumAreDropped()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Warn);

        log.Debug("d");
        log.Info("i");
        log.Warn("w");
        log.Error("e");
        log.Write(LogLevel.Info, "i2");

        Assert.Equal(["warn", "error"], Lines(stream).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("level").GetString()));
        Assert.False(log.IsEnabled(LogLevel.Info));
        Assert.True(log.IsEnabled(LogLevel.Warn));
        Assert.True(log.IsEnabled(LogLevel.Error));
    }

    [Fact]
    public void MinimumLevelCanBeChangedAtRunTime()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Error);

        log.Debug("hidden");
        log.MinLevel = LogLevel.Debug;
        log.Debug("shown");

        string[] lines = Lines(stream);
        Assert.Single(lines);
        Assert.Equal("shown", JsonDocument.Parse(lines[0]).RootElement.GetProperty("msg").GetString());
    }

    [Theory]
    [InlineData("quote \" and backslash \\")]
    [InlineData("newline\nreturn\rtab\tbell\u0007nul\0del\u007f")]
    [InlineData("unicode: é ü 中文 \U0001F600")]
    [InlineData("separators \u2028 \u2029")]
    [InlineData("</script><!-- & 'x' +")]
    [InlineData("")]
    public void EscapesStringsSoTheyRoundTrip(string text)
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);

        log.Info(text, LogField.Text("weird \"key\"\n", text));

        string[] lines = Lines(stream);
        Assert.Single(lines);
        JsonElement root = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(text, root.GetProperty("msg").GetString());
        Assert.Equal(text, root.GetProperty("weird \"key\"\n").GetString());
    }

    [Fact]
    public void ControlCharactersAreEscapedNotWrittenRaw()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);

        log.Info("a\nb\u0001c\u2028d");

        string raw = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("a\\nb\\u0001c\\u2028d", raw);
        Assert.Equal(1, raw.Count(c => c == '\n'));
    }

    [Fact]
    public void NonAsciiIsWrittenAsUtf8()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);

        log.Info("é中\U0001F600");

        Assert.Contains("é中\U0001F600", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void LoneSurrogatesBecomeReplacementCharacters()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);

        log.Info("bad \uD800 pair \uDC00 end");

        JsonElement root = JsonDocument.Parse(Lines(stream)[0]).RootElement;
        Assert.Equal("bad \uFFFD pair \uFFFD end", root.GetProperty("msg").GetString());
    }

    [Fact]
    public void NonFiniteNumbersAreWrittenAsStrings()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);

        log.Info("n", LogField.Number("nan", double.NaN), LogField.Number("inf", double.PositiveInfinity));

        JsonElement root = JsonDocument.Parse(Lines(stream)[0]).RootElement;
        Assert.Equal("NaN", root.GetProperty("nan").GetString());
        Assert.Equal("Infinity", root.GetProperty("inf").GetString());
    }

    [Fact]
    public void ExceptionFieldHasTypeAndMessage()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);

        log.Error("request failed", LogField.Error(new InvalidOperationException("boom \"quoted\"")));

        JsonElement root = JsonDocument.Parse(Lines(stream)[0]).RootElement;
        Assert.Equal("InvalidOperationException: boom \"quoted\"", root.GetProperty("error").GetString());
    }

    [Fact]
    public void LongLinesAreWrittenWhole()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);
        string big = new('x', 200_000);

        log.Info(big);
        log.Info("after");

        string[] lines = Lines(stream);
        Assert.Equal(2, lines.Length);
        Assert.Equal(big, JsonDocument.Parse(lines[0]).RootElement.GetProperty("msg").GetString());
    }

    [Fact]
    public void WritesToATextWriter()
    {
        var writer = new StringWriter();
        using var log = new Log(writer, LogLevel.Info);

        log.Warn("to writer", LogField.Text("k", "vé"));

        string text = writer.ToString();
        Assert.EndsWith("\n", text);
        JsonElement root = JsonDocument.Parse(text).RootElement;
        Assert.Equal("warn", root.GetProperty("level").GetString());
        Assert.Equal("vé", root.GetProperty("k").GetString());
    }

    [Fact]
    public void ConcurrentWritersNeverInterleaveLines()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Debug);
        const int threads = 4;
        const int perThread = 500;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                log.Info("concurrent", LogField.Number("thread", t), LogField.Number("i", i), LogField.Text("pad", new string('p', i % 50)));
            }
        });

        string[] lines = Lines(stream);
        Assert.Equal(threads * perThread, lines.Length);
        var seen = new HashSet<(long, long)>();
        foreach (string line in lines)
        {
            JsonElement root = JsonDocument.Parse(line).RootElement;
            Assert.True(seen.Add((root.GetProperty("thread").GetInt64(), root.GetProperty("i").GetInt64())));
        }
    }

    [Fact]
    public void FilteredCallsAllocateNothing()
    {
        var stream = new MemoryStream();
        using var log = new Log(stream, LogLevel.Error);
        var ex = new InvalidOperationException("x");

        // Warm up so that any one-time JIT or static initialisation is not counted.
        Filtered(log, ex);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Filtered(log, ex);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(0, stream.Length);

        static void Filtered(Log log, Exception ex)
        {
            log.Debug("debug line", LogField.Text("k", "v"), LogField.Number("n", 42), LogField.Error(ex));
            log.Info("info line", LogField.Bool("b", true));
        }
    }

    [Fact]
    public void FlushAndDisposeAreSafeToRepeatAndWritesAfterDisposeAreDropped()
    {
        var stream = new MemoryStream();
        var log = new Log(stream, LogLevel.Info);
        log.Info("before");

        log.Flush();
        log.Dispose();
        log.Dispose();
        log.Flush();
        log.Info("after");

        Assert.Single(Lines(stream));
    }

    [Fact]
    public void RejectsUnknownLevelsAndEmptyFieldKeys()
    {
        using var log = new Log(new MemoryStream(), LogLevel.Debug);

        Assert.Throws<ArgumentOutOfRangeException>(() => log.Write((LogLevel)42, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.MinLevel = (LogLevel)(-1));
        Assert.Throws<ArgumentException>(() => LogField.Text("", "v"));
    }

    [Fact]
    public void OffersNoFieldFactoryTakingBytes()
    {
        // Secrets policy: byte payloads (keys, ciphertexts) cannot be logged through the API.
        var byteParameters = typeof(LogField).GetMethods()
            .Where(m => m.IsStatic && m.ReturnType == typeof(LogField))
            .SelectMany(m => m.GetParameters())
            .Where(p => p.ParameterType == typeof(byte[]) || p.ParameterType == typeof(ReadOnlySpan<byte>)
                || p.ParameterType == typeof(Span<byte>) || p.ParameterType == typeof(ReadOnlyMemory<byte>)
                || p.ParameterType == typeof(object));

        Assert.Empty(byteParameters);
    }

    private static string[] Lines(MemoryStream stream)
    {
        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "every line ends with a newline");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
