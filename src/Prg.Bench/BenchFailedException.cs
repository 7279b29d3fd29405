// A benchmark that could not run (target unreachable, refused set-up requests); the CLI prints the
// message and exits 1.
namespace Prg.Bench;

/// <summary>The benchmark could not be carried out; the message says why and what to check.</summary>
public sealed class BenchFailedException : Exception
{
    public BenchFailedException(string message)
        : base(message)
    {
    }

    public BenchFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
