// Turns the raw text of `prg bench` options into checked values, with errors that name the option,
// the bad value and what is accepted.
using System.Globalization;
using System.Numerics;

namespace Prg.Bench;

/// <summary>Reads typed option values through a lookup (option name without dashes → last value or null).</summary>
public sealed class OptionReader
{
    private readonly string _command;
    private readonly Func<string, string?> _lookup;

    /// <param name="command">How errors name the command, e.g. "bench http".</param>
    /// <param name="lookup">The value given for an option, or null when it was not given.</param>
    public OptionReader(string command, Func<string, string?> lookup)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(lookup);
        _command = command;
        _lookup = lookup;
    }

    /// <summary>A reader over a fixed set of values (tests, programmatic use).</summary>
    public static OptionReader FromDictionary(string command, IReadOnlyDictionary<string, string> values) =>
        new(command, name => values.TryGetValue(name, out string? value) ? value : null);

    public string? GetString(string name) => _lookup(name);

    public string GetRequiredString(string name, string hint)
    {
        string? value = _lookup(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Error($"--{name} is required ({hint})");
        }

        return value;
    }

    public int GetInt(string name, int defaultValue, int min, int max) =>
        GetNumber(name, defaultValue, min, max, NumberStyles.None, "a whole number");

    public double GetDouble(string name, double defaultValue, double min, double max) =>
        GetNumber(name, defaultValue, min, max, NumberStyles.AllowDecimalPoint, "a number");

    /// <summary>A comma-separated list of whole numbers, each in range, without duplicates.</summary>
    public int[] GetIntList(string name, int[] defaultValue, int min, int max)
    {
        string? text = _lookup(name);
        if (text is null)
        {
            return defaultValue;
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<int>(parts.Length);
        foreach (string part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                throw Error($"--{name} '{text}' must be a comma-separated list of whole numbers from {min} to {max}, e.g. --{name} {min},{Math.Min(max, min * 16)}");
            }

            if (values.Contains(value))
            {
                throw Error($"--{name} '{text}' lists {value} twice");
            }

            values.Add(value);
        }

        return [.. values];
    }

    public BenchOptionException Error(string message) => new($"{_command}: {message}");

    private T GetNumber<T>(string name, T defaultValue, T min, T max, NumberStyles styles, string what) where T : INumber<T>
    {
        string? text = _lookup(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!T.TryParse(text, styles, CultureInfo.InvariantCulture, out T? value) || !T.IsFinite(value) || value < min || value > max)
        {
            throw Error($"--{name} '{text}' must be {what} from {min.ToString(null, CultureInfo.InvariantCulture)} to {max.ToString(null, CultureInfo.InvariantCulture)}");
        }

        return value;
    }
}
