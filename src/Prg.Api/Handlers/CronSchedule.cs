// The `retention.cron` schedule: a classic five-field cron expression (minute hour day-of-month month
// day-of-week) with `*`, lists, ranges, steps and month/day names, or one of the @yearly, @annually,
// @monthly, @weekly, @daily, @midnight and @hourly macros. Always evaluated in UTC.
using System.Globalization;

namespace Prg.Api.Handlers;

public sealed class CronSchedule
{
    private static readonly string[] s_monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] s_dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly int[] s_maxDaysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

    // Bit sets: bit n set = value n matches.
    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _days;
    private readonly ushort _months;
    private readonly byte _weekdays;
    private readonly bool _daysRestricted;
    private readonly bool _weekdaysRestricted;

    private CronSchedule(string expression, ulong minutes, uint hours, uint days, ushort months, byte weekdays, bool daysRestricted, bool weekdaysRestricted)
    {
        Expression = expression;
        _minutes = minutes;
        _hours = hours;
        _days = days;
        _months = months;
        _weekdays = weekdays;
        _daysRestricted = daysRestricted;
        _weekdaysRestricted = weekdaysRestricted;
    }

    /// <summary>The expression as given (trimmed).</summary>
    public string Expression { get; }

    /// <summary>Parses an expression.</summary>
    /// <exception cref="FormatException">The expression is not valid cron or can never fire; the message says why.</exception>
    public static CronSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var trimmed = expression.Trim();
        var body = trimmed.ToLowerInvariant() switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ when trimmed.StartsWith('@') => throw new FormatException(
                $"unknown cron macro '{trimmed}' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"),
            _ => trimmed,
        };
        var fields = body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw new FormatException($"a cron expression has five fields (minute hour day-of-month month day-of-week), got {fields.Length} in '{trimmed}'");
        }

        var minutes = ParseField(fields[0], "minute", 0, 59, null);
        var hours = ParseField(fields[1], "hour", 0, 23, null);
        var days = ParseField(fields[2], "day-of-month", 1, 31, null);
        var months = ParseField(fields[3], "month", 1, 12, s_monthNames);
        var weekdays = ParseField(fields[4], "day-of-week", 0, 7, s_dayNames);
        // 7 is another name for Sunday.
        if ((weekdays & (1UL << 7)) != 0)
        {
            weekdays = (weekdays | 1) & ~(1UL << 7);
        }
        var daysRestricted = !IsStar(fields[2]);
        var weekdaysRestricted = !IsStar(fields[4]);

        if (!weekdaysRestricted && !AnyDayExists(days, months))
        {
            throw new FormatException($"the cron expression '{trimmed}' never fires: none of its days exist in its months");
        }

        return new CronSchedule(trimmed, minutes, (uint)hours, (uint)days, (ushort)months, (byte)weekdays, daysRestricted, weekdaysRestricted);
    }

    /// <summary>Parses an expression, returning false and the reason instead of throwing.</summary>
    public static bool TryParse(string expression, out CronSchedule? schedule, out string error)
    {
        try
        {
            schedule = Parse(expression);
            error = "";
            return true;
        }
        catch (FormatException e)
        {
            schedule = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The first matching minute strictly after <paramref name="after"/> (UTC; seconds are dropped).</summary>
    public DateTime Next(DateTime after)
    {
        var utc = after.Kind == DateTimeKind.Local ? after.ToUniversalTime() : after;
        var t = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        // Parse rejects schedules that never fire, and every day-of-month/month pair that exists recurs
        // within eight years (29 February included), so this bound is never reached for a parsed schedule.
        var limit = t.AddYears(8);
        while (t < limit)
        {
            if ((_months & (1 << t.Month)) == 0)
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
                continue;
            }
            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }
            if ((_hours & (1u << t.Hour)) == 0)
            {
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
                continue;
            }
            if ((_minutes & (1UL << t.Minute)) == 0)
            {
                t = t.AddMinutes(1);
                continue;
            }
            return t;
        }
        throw new InvalidOperationException($"the cron expression '{Expression}' has no time within eight years of {after:O}");
    }

    private bool DayMatches(DateTime t)
    {
        var dayOk = (_days & (1u << t.Day)) != 0;
        var weekdayOk = (_weekdays & (1 << (int)t.DayOfWeek)) != 0;
        // Classic cron: when both day fields are restricted, a day matching either one fires.
        return _daysRestricted && _weekdaysRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
    }

    // As in Vixie cron, a day field starting with '*' (including "*/n") does not count as restricted.
    private static bool IsStar(string field) => field.StartsWith('*');

    private static bool AnyDayExists(ulong days, ulong months)
    {
        for (var month = 1; month <= 12; month++)
        {
            if ((months & (1UL << month)) == 0)
            {
                continue;
            }
            for (var day = 1; day <= s_maxDaysInMonth[month - 1]; day++)
            {
                if ((days & (1UL << day)) != 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static ulong ParseField(string field, string name, int min, int max, string[]? names)
    {
        ulong bits = 0;
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0)
            {
                throw new FormatException($"cron {name} field '{field}' has an empty list item");
            }
            var range = part;
            var step = 1;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                range = part[..slash];
                var stepText = part[(slash + 1)..];
                if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1 || step > max - min + 1)
                {
                    throw new FormatException($"cron {name} field '{field}': step '{stepText}' must be a number from 1 to {max - min + 1}");
                }
            }

            int low;
            int high;
            if (range == "*")
            {
                low = min;
                high = max == 7 ? 6 : max;
            }
            else
            {
                var dash = range.IndexOf('-');
                if (dash >= 0)
                {
                    low = ParseValue(range[..dash], field, name, min, max, names);
                    high = ParseValue(range[(dash + 1)..], field, name, min, max, names);
                    if (high < low)
                    {
                        throw new FormatException($"cron {name} field '{field}': range '{range}' runs backwards");
                    }
                }
                else
                {
                    low = ParseValue(range, field, name, min, max, names);
                    // "a/n" means from a to the end of the field in steps of n.
                    high = slash >= 0 ? (max == 7 ? 6 : max) : low;
                }
            }

            for (var v = low; v <= high; v += step)
            {
                bits |= 1UL << v;
            }
        }
        return bits;
    }

    private static int ParseValue(string text, string field, string name, int min, int max, string[]? names)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            if (value < min || value > max)
            {
                throw new FormatException($"cron {name} field '{field}': {value} is outside {min}-{max}");
            }
            return value;
        }
        if (names is not null)
        {
            var index = Array.IndexOf(names, text.ToUpperInvariant());
            if (index >= 0)
            {
                // Month names are 1-based, day names 0-based (SUN = 0).
                return index + min;
            }
        }
        throw new FormatException($"cron {name} field '{field}': '{text}' is not a number{(names is null ? "" : " or name")} from {min} to {max}");
    }
}
