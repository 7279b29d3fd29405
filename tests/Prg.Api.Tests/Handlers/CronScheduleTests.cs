// CronSchedule: parsing of the five cron fields and macros, clear errors for bad expressions, and the
// next-fire arithmetic, checked against a brute-force minute-by-minute reference.
using Prg.Api.Handlers;

namespace Prg.Api.Tests.Handlers;

public class CronScheduleTests
{
    private static DateTime Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);

    [Theory]
    [InlineData("0 2 * * *", "2025-11-28T10:15:00", "2025-11-29T02:00:00")]
    [InlineData("0 2 * * *", "2025-11-28T01:59:59", "2025-11-28T02:00:00")]
    [InlineData("0 2 * * *", "2025-11-28T02:00:00", "2025-11-29T02:00:00")]
    [InlineData("*/15 * * * *", "2025-11-28T10:15:00", "2025-11-28T10:30:00")]
    [InlineData("*/15 * * * *", "2025-11-28T23:59:00", "2025-11-29T00:00:00")]
    [InlineData("5,35 9-17/4 * * *", "2025-11-28T13:36:00", "2025-11-28T17:05:00")]
    [InlineData("5,35 9-17/4 * * *", "2025-11-28T17:36:00", "2025-11-29T09:05:00")]
    [InlineData("0 0 1 * *", "2025-12-15T00:00:00", "2026-01-01T00:00:00")]
    [InlineData("0 0 29 2 *", "2025-03-01T00:00:00", "2028-02-29T00:00:00")]
    [InlineData("30 4 * * 1-5", "2025-11-28T05:00:00", "2025-12-01T04:30:00")]
    [InlineData("0 12 * * SUN", "2025-11-28T00:00:00", "2025-11-30T12:00:00")]
    [InlineData("0 12 * * 7", "2025-11-28T00:00:00", "2025-11-30T12:00:00")]
    [InlineData("0 0 * JUN-AUG MON", "2025-11-28T00:00:00", "2026-06-01T00:00:00")]
    [InlineData("@hourly", "2025-11-28T10:00:30", "2025-11-28T11:00:00")]
    [InlineData("@daily", "2025-11-28T10:00:00", "2025-11-29T00:00:00")]
    [InlineData("@midnight", "2025-11-28T10:00:00", "2025-11-29T00:00:00")]
    [InlineData("@weekly", "2025-11-28T10:00:00", "2025-11-30T00:00:00")]
    [InlineData("@monthly", "2025-11-28T10:00:00", "2025-12-01T00:00:00")]
    [InlineData("@yearly", "2025-11-28T10:00:00", "2026-01-01T00:00:00")]
    [InlineData("@annually", "2025-11-28T10:00:00", "2026-01-01T00:00:00")]
    public void NextIsTheFirstMatchingMinuteStrictlyAfterTheGivenTime(string expression, string after, string expected)
    {
        var schedule = CronSchedule.Parse(expression);
        var next = schedule.Next(DateTime.SpecifyKind(DateTime.Parse(after, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc));
        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), next);
        Assert.Equal(DateTimeKind.Utc, next.Kind);
    }

    [Fact]
    public void WhenBothDayFieldsAreRestrictedEitherOneMatches()
    {
        // The 13th of the month or any Friday (classic cron OR rule).
        var schedule = CronSchedule.Parse("0 0 13 * 5");
        var start = Utc(2025, 11, 28, 1); // a Friday
        var fires = new List<DateTime>();
        var t = start;
        for (var i = 0; i < 4; i++)
        {
            t = schedule.Next(t);
            fires.Add(t);
        }
        Assert.Equal([Utc(2025, 12, 5), Utc(2025, 12, 12), Utc(2025, 12, 13), Utc(2025, 12, 19)], fires);
    }

    [Fact]
    public void AStarredStepDayOfMonthStillRequiresTheWeekday()
    {
        var schedule = CronSchedule.Parse("0 0 */2 * 1");
        var next = schedule.Next(Utc(2025, 11, 28));
        // Mondays with an odd day of month: Dec 1 is a Monday and 1 is in 1,3,5,...
        Assert.Equal(Utc(2025, 12, 1), next);
        Assert.Equal(Utc(2025, 12, 15), schedule.Next(next));
    }

    [Theory]
    [InlineData("*/7 3,5 * * *")]
    [InlineData("0 0 1-10/3 * *")]
    [InlineData("15 */6 * 2,4 MON-WED")]
    [InlineData("0 22 * * 1-5")]
    [InlineData("10/20 * 31 * *")]
    public void AgreesWithABruteForceReferenceOverFourMonths(string expression)
    {
        var schedule = CronSchedule.Parse(expression);
        var t = Utc(2024, 1, 1);
        var end = Utc(2024, 5, 1); // a leap February, 30- and 31-day months
        var reference = t;
        while (true)
        {
            var next = schedule.Next(t);
            reference = BruteForceNext(expression, reference);
            Assert.Equal(reference, next);
            if (next >= end)
            {
                break;
            }
            t = next;
        }
    }

    [Theory]
    [InlineData("", "five fields")]
    [InlineData("* * * *", "five fields (minute hour day-of-month month day-of-week), got 4")]
    [InlineData("* * * * * *", "got 6")]
    [InlineData("60 * * * *", "cron minute field '60': 60 is outside 0-59")]
    [InlineData("* 24 * * *", "cron hour field '24': 24 is outside 0-23")]
    [InlineData("* * 0 * *", "cron day-of-month field '0': 0 is outside 1-31")]
    [InlineData("* * * 13 *", "cron month field '13': 13 is outside 1-12")]
    [InlineData("* * * * 8", "cron day-of-week field '8': 8 is outside 0-7")]
    [InlineData("5-1 * * * *", "range '5-1' runs backwards")]
    [InlineData("*/0 * * * *", "step '0' must be a number from 1 to 60")]
    [InlineData("*/x * * * *", "step 'x'")]
    [InlineData("1,,2 * * * *", "empty list item")]
    [InlineData("a * * * *", "'a' is not a number from 0 to 59")]
    [InlineData("* * * FOO *", "'FOO' is not a number or name from 1 to 12")]
    [InlineData("-1 * * * *", "is not a number")]
    [InlineData("0 0 30 2 *", "never fires")]
    [InlineData("0 0 31 4,6,9,11 *", "never fires")]
    [InlineData("@often", "unknown cron macro '@often'")]
    public void InvalidExpressionsAreRejectedWithTheReason(string expression, string fragment)
    {
        var ex = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains(fragment, ex.Message);
        Assert.False(CronSchedule.TryParse(expression, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Equal(ex.Message, error);
    }

    [Fact]
    public void ImpossibleDayIsAcceptedWhenAWeekdayCanStillFire()
    {
        // With both day fields restricted the weekday alone can fire.
        var schedule = CronSchedule.Parse("0 0 30 2 1");
        Assert.Equal(DayOfWeek.Monday, schedule.Next(Utc(2025, 11, 28)).DayOfWeek);
    }

    [Fact]
    public void NamesAndMacrosAreCaseInsensitiveAndWhitespaceIsTolerated()
    {
        var a = CronSchedule.Parse("  0 0 * jan,Feb sun-tue  ");
        var b = CronSchedule.Parse("0 0 * 1,2 0-2");
        var t = Utc(2025, 11, 28);
        for (var i = 0; i < 20; i++)
        {
            var next = a.Next(t);
            Assert.Equal(b.Next(t), next);
            t = next;
        }
        Assert.Equal(CronSchedule.Parse("@daily").Next(t), CronSchedule.Parse("@DAILY").Next(t));
        Assert.Equal("0 0 * jan,Feb sun-tue", a.Expression);
    }

    [Fact]
    public void LocalTimesAreConvertedToUtcAndSecondsAreDropped()
    {
        var schedule = CronSchedule.Parse("* * * * *");
        var utc = Utc(2025, 11, 28, 10, 15, 42);
        Assert.Equal(Utc(2025, 11, 28, 10, 16), schedule.Next(utc));
        Assert.Equal(Utc(2025, 11, 28, 10, 16), schedule.Next(utc.ToLocalTime()));
    }

    private static DateTime BruteForceNext(string expression, DateTime after)
    {
        var fields = expression.Split(' ');
        var t = new DateTime(after.Year, after.Month, after.Day, after.Hour, after.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        while (true)
        {
            var dayRestricted = fields[2] != "*";
            var weekdayRestricted = fields[4] != "*";
            var dayOk = Matches(fields[2], t.Day, 1, 31);
            var weekdayOk = Matches(fields[4], (int)t.DayOfWeek, 0, 6);
            var day = dayRestricted && weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
            if (Matches(fields[0], t.Minute, 0, 59) && Matches(fields[1], t.Hour, 0, 23) && Matches(fields[3], t.Month, 1, 12) && day)
            {
                return t;
            }
            t = t.AddMinutes(1);
        }
    }

    // An independent, deliberately naive matcher for the numeric and three-letter forms used above.
    private static bool Matches(string field, int value, int min, int max)
    {
        string[] days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        int Parse(string s) => int.TryParse(s, out var n) ? n : Array.IndexOf(days, s);
        foreach (var part in field.Split(','))
        {
            var pieces = part.Split('/');
            var step = pieces.Length > 1 ? int.Parse(pieces[1]) : 1;
            int low, high;
            if (pieces[0] == "*")
            {
                (low, high) = (min, max);
            }
            else if (pieces[0].Contains('-'))
            {
                var ends = pieces[0].Split('-');
                (low, high) = (Parse(ends[0]), Parse(ends[1]));
            }
            else
            {
                low = Parse(pieces[0]);
                high = pieces.Length > 1 ? max : low;
            }
            for (var v = low; v <= high; v += step)
            {
                if (v == value)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
