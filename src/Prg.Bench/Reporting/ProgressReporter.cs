// The live progress of a running benchmark on stderr: on a terminal one line rewritten in place
// (`\r`) a few times a second; otherwise (a pipe or a log file) a plain line every few seconds.
using System.Diagnostics;
using System.Globalization;

namespace Prg.Bench;

/// <summary>
/// Shows ops/s, elapsed time and the ETA of the whole run. A benchmark announces each measurement
/// with <see cref="BeginPhase"/> and a counter the reporter samples; <see cref="Tick"/> is driven by
/// a timer between <see cref="Start"/> and <see cref="Dispose"/>.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly TextWriter? _output;
    private readonly bool _interactive;
    private readonly TimeSpan _interval;
    private readonly Lock _lock = new();
    private TimeSpan _expectedTotal;
    private long _runStarted;
    private string _phase = "";
    private Func<long>? _counter;
    private long _lastCount;
    private long _lastTimestamp;
    private Timer? _timer;
    private int _lastLineLength;

    /// <param name="output">Where to write (stderr); null writes nothing.</param>
    /// <param name="interactive">A terminal: rewrite one line. Otherwise print plain lines.</param>
    /// <param name="interval">How often to report; by default 0.25 s on a terminal and 1 s otherwise.</param>
    public ProgressReporter(TextWriter? output, bool interactive, TimeSpan? interval = null)
    {
        _output = output;
        _interactive = interactive;
        _interval = interval ?? (interactive ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));
        if (_interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "must be positive");
        }

        _runStarted = Stopwatch.GetTimestamp();
    }

    /// <summary>A reporter that writes nothing (--quiet, tests).</summary>
    public static ProgressReporter Silent => new(null, false);

    /// <summary>Starts the run clock and the timer; <paramref name="expectedTotal"/> is what the ETA counts down.</summary>
    public void Start(TimeSpan expectedTotal)
    {
        lock (_lock)
        {
            _expectedTotal = expectedTotal;
            _runStarted = Stopwatch.GetTimestamp();
            if (_output is not null && _timer is null)
            {
                _timer = new Timer(static s => ((ProgressReporter)s!).Tick(), this, _interval, _interval);
            }
        }
    }

    /// <summary>Names the measurement now running and the counter of operations it has completed.</summary>
    public void BeginPhase(string phase, Func<long> completed)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(completed);
        lock (_lock)
        {
            _phase = phase;
            _counter = completed;
            _lastCount = completed();
            _lastTimestamp = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Writes one progress report (the timer calls this).</summary>
    public void Tick()
    {
        lock (_lock)
        {
            if (_output is null || _counter is null)
            {
                return;
            }

            long now = Stopwatch.GetTimestamp();
            long count = _counter();
            double seconds = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            double rate = seconds > 0 ? (count - _lastCount) / seconds : 0;
            _lastCount = count;
            _lastTimestamp = now;
            string line = Format(_phase, rate, Stopwatch.GetElapsedTime(_runStarted, now), _expectedTotal);
            if (_interactive)
            {
                // Pad over the previous line's tail so a shorter line leaves no stale characters.
                _output.Write('\r' + line.PadRight(_lastLineLength));
                _lastLineLength = line.Length;
            }
            else
            {
                _output.WriteLine(line);
            }

            _output.Flush();
        }
    }

    /// <summary>The text of one progress report.</summary>
    public static string Format(string phase, double opsPerSecond, TimeSpan elapsed, TimeSpan expectedTotal)
    {
        TimeSpan eta = expectedTotal - elapsed;
        if (eta < TimeSpan.Zero)
        {
            eta = TimeSpan.Zero;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{phase}: {FormatRate(opsPerSecond)} ops/s, elapsed {FormatTime(elapsed)}, ETA {FormatTime(eta)}");
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (_output is not null && _interactive && _lastLineLength > 0)
            {
                _output.Write('\r' + new string(' ', _lastLineLength) + '\r');
                _output.Flush();
                _lastLineLength = 0;
            }

            _counter = null;
        }
    }

    private static string FormatRate(double rate) => rate switch
    {
        >= 10_000_000 => (rate / 1_000_000).ToString("0.0", CultureInfo.InvariantCulture) + "M",
        >= 100_000 => (rate / 1_000).ToString("0", CultureInfo.InvariantCulture) + "k",
        _ => rate.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string FormatTime(TimeSpan time) =>
        time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
