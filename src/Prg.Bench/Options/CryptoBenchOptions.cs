// Options of `prg bench crypto`.
namespace Prg.Bench;

/// <summary>What <see cref="CryptoBench"/> measures.</summary>
public sealed class CryptoBenchOptions
{
    public const string Command = "bench crypto";

    /// <summary>Option names that take a value.</summary>
    public static readonly string[] ValuedOptions = ["sizes", "threads", "seconds", "json"];

    /// <summary>Plaintext sizes in bytes.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [64, 1024, 16384];

    /// <summary>Thread counts; every size is measured at each.</summary>
    public IReadOnlyList<int> Threads { get; init; } = [1];

    /// <summary>Length of each measurement.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(2);

    /// <exception cref="BenchOptionException">A value is malformed or out of range.</exception>
    public static CryptoBenchOptions Parse(OptionReader options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CryptoBenchOptions
        {
            Sizes = options.GetIntList("sizes", [64, 1024, 16384], 1, 16 << 20),
            Threads = options.GetIntList("threads", [1], 1, 256),
            Duration = TimeSpan.FromSeconds(options.GetDouble("seconds", 2, 0.1, 3600)),
        };
    }
}
