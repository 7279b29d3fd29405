// A one-line progress display on stderr, only when stderr is a terminal (never in pipes or logs),
// redrawn at most a few times a second.
using System.Diagnostics;

namespace Prg.Commands;

public sealed class ProgressLine(string command)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private long _lastDrawn;

    public void Report(string text)
    {
        if (!_enabled || Stopwatch.GetElapsedTime(_lastDrawn) < Interval)
        {
            return;
        }

        _lastDrawn = Stopwatch.GetTimestamp();
        Console.Error.Write($"\r{command}: {text}\u001b[K");
    }

    public void Clear()
    {
        if (_enabled && _lastDrawn != 0)
        {
            Console.Error.Write("\r\u001b[K");
        }
    }
}
