// One cell of a report: a number (with how to show it in the table) or a piece of text.
using System.Globalization;

namespace Prg.Bench;

public readonly struct ReportValue
{
    private ReportValue(double number, string? text, string format)
    {
        Number = number;
        Text = text;
        Format = format;
    }

    public bool IsNumber => Text is null;

    public double Number { get; }

    public string? Text { get; }

    /// <summary>.NET numeric format string used in the table (JSON always carries the full value).</summary>
    public string Format { get; }

    public static ReportValue Of(double number, string format = "0.##") => new(number, null, format);

    public static ReportValue Of(long number) => new(number, null, "0");

    public static ReportValue Of(string text) => new(0, text ?? throw new ArgumentNullException(nameof(text)), "");

    /// <summary>The cell as the table shows it.</summary>
    public string Display => Text ?? Number.ToString(Format, CultureInfo.InvariantCulture);

    public override string ToString() => Display;
}
