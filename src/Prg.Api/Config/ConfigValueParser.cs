// Parsers for the human-friendly value forms config files use: sizes ("100KB", KB = 1024), durations
// ("100ms", "720h", "1h30m", bare numbers are seconds), booleans and integers with `_` digit separators
// (reference config files write `rps: 100_000`). Each throws FormatException with a message fit for users.
using System.Globalization;

namespace Prg.Api.Config;

public static class ConfigValueParser
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>Parses a byte size: a whole number with an optional unit B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB (powers of 1024).</summary>
    public static long ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        if (s.StartsWith('-'))
        {
            throw new FormatException($"size must not be negative, got '{text}'");
        }

        int digitsEnd = 0;
        while (digitsEnd < s.Length && (char.IsAsciiDigit(s[digitsEnd]) || (s[digitsEnd] == '_' && digitsEnd > 0)))
        {
            digitsEnd++;
        }

        if (digitsEnd == 0)
        {
            throw new FormatException($"expected a size such as 512, 100KB or 1MB, got '{text}'");
        }

        string unit = s[digitsEnd..].Trim().ToUpperInvariant();
        long multiplier = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => throw new FormatException($"unknown size unit '{s[digitsEnd..].Trim()}' in '{text}' (use B, KB, MB, GB or TB)"),
        };

        if (!long.TryParse(s.AsSpan(0, digitsEnd).ToString().Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            throw new FormatException($"size '{text}' is too large");
        }

        try
        {
            return checked(number * multiplier);
        }
        catch (OverflowException)
        {
            throw new FormatException($"size '{text}' is too large");
        }
    }

    /// <summary>
    /// Parses a duration: Go style (`300ms`, `1.5h`, `1h30m`; units ns, us, µs, ms, s, m, h, plus d for days)
    /// or a bare number of seconds.
    /// </summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        if (s.StartsWith('-'))
        {
            throw new FormatException($"duration must not be negative, got '{text}'");
        }

        if (s.StartsWith('+'))
        {
            s = s[1..];
        }

        if (s.Length == 0)
        {
            throw new FormatException("expected a duration such as 100ms, 5s or 720h, got an empty value");
        }

        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bareSeconds))
        {
            return FromTicks(bareSeconds * TimeSpan.TicksPerSecond, text);
        }

        double ticks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == numberStart
                || !double.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            {
                throw new FormatException($"expected a duration such as 100ms, 5s or 720h, got '{text}'");
            }

            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            double unitTicks = s[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "d" => TimeSpan.TicksPerDay,
                "" => throw new FormatException($"missing unit in duration '{text}' (use ms, s, m, h or d)"),
                string other => throw new FormatException($"unknown unit '{other}' in duration '{text}' (use ns, us, ms, s, m, h or d)"),
            };

            ticks += value * unitTicks;
        }

        return FromTicks(ticks, text);
    }

    /// <summary>Parses true/false (also yes/no, on/off, 1/0), case-insensitively.</summary>
    public static bool ParseBool(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "yes" or "on" or "1" => true,
            "false" or "no" or "off" or "0" => false,
            _ => throw new FormatException($"expected true or false, got '{text}'"),
        };
    }

    /// <summary>Parses a whole number; `_` may separate digits.</summary>
    public static long ParseInteger(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        if (s.Length == 0 || s.StartsWith('_') || s.EndsWith('_')
            || !long.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw new FormatException($"expected a whole number, got '{text}'");
        }

        return value;
    }

    /// <summary>Parses a decimal number; `_` may separate digits.</summary>
    public static double ParseNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        if (s.Length == 0 || s.StartsWith('_') || s.EndsWith('_')
            || !double.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
        {
            throw new FormatException($"expected a number, got '{text}'");
        }

        return value;
    }

    private static TimeSpan FromTicks(double ticks, string text)
    {
        if (!double.IsFinite(ticks) || ticks >= TimeSpan.MaxValue.Ticks)
        {
            throw new FormatException($"duration '{text}' is too large");
        }

        return TimeSpan.FromTicks((long)Math.Round(ticks));
    }
}
