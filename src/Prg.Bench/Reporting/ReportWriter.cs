// Renders a BenchReport as an aligned text table (stdout) and as JSON (--json FILE), the JSON
// written with Utf8JsonWriter so it needs no reflection.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Prg.Bench;

public static class ReportWriter
{
    /// <summary>The report as text: a parameter line, each section as an aligned table, then the notes.</summary>
    public static string ToTable(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append("prg bench ").Append(report.Mode);
        foreach ((string key, string value) in report.Parameters)
        {
            text.Append("  ").Append(key).Append('=').Append(value);
        }

        text.Append('\n');
        foreach (ReportSection section in report.Sections)
        {
            text.Append('\n').Append(section.Title).Append('\n');
            var widths = new int[section.Columns.Count];
            for (int c = 0; c < widths.Length; c++)
            {
                widths[c] = section.Columns[c].Header.Length;
                foreach (ReportValue[] row in section.Rows)
                {
                    widths[c] = Math.Max(widths[c], row[c].Display.Length);
                }
            }

            // A column is right-aligned when it holds numbers, so digits line up.
            var numeric = new bool[widths.Length];
            for (int c = 0; c < widths.Length; c++)
            {
                numeric[c] = section.Rows.Count > 0 && section.Rows.All(r => r[c].IsNumber);
            }

            AppendLine(text, widths, numeric, c => section.Columns[c].Header);
            foreach (ReportValue[] row in section.Rows)
            {
                AppendLine(text, widths, numeric, c => row[c].Display);
            }
        }

        if (report.Notes.Count > 0)
        {
            text.Append('\n');
            foreach (string note in report.Notes)
            {
                text.Append("note: ").Append(note).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The report as JSON: <c>{"mode","started_at","machine":{..},"parameters":{..},
    /// "sections":{"name":[{column key: value}..]},"notes":[..]}</c>; numbers stay numbers.
    /// </summary>
    public static void WriteJson(BenchReport report, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(destination);
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("mode"u8, report.Mode);
        json.WriteString("started_at"u8, report.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteStartObject("machine"u8);
        json.WriteNumber("processors"u8, Environment.ProcessorCount);
        json.WriteString("os"u8, System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        json.WriteString("architecture"u8, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString());
        json.WriteEndObject();
        json.WriteStartObject("parameters"u8);
        foreach ((string key, string value) in report.Parameters)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteStartObject("sections"u8);
        foreach (ReportSection section in report.Sections)
        {
            json.WriteStartArray(section.Name);
            foreach (ReportValue[] row in section.Rows)
            {
                json.WriteStartObject();
                for (int c = 0; c < row.Length; c++)
                {
                    if (row[c].IsNumber && !double.IsFinite(row[c].Number))
                    {
                        json.WriteNull(section.Columns[c].Key);
                    }
                    else if (row[c].IsNumber)
                    {
                        json.WriteNumber(section.Columns[c].Key, Math.Round(row[c].Number, 6));
                    }
                    else
                    {
                        json.WriteString(section.Columns[c].Key, row[c].Text);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartArray("notes"u8);
        foreach (string note in report.Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes the JSON report to <paramref name="path"/>, replacing the file.</summary>
    public static void WriteJsonFile(BenchReport report, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        WriteJson(report, file);
        file.WriteByte((byte)'\n');
    }

    private static void AppendLine(StringBuilder text, int[] widths, bool[] numeric, Func<int, string> cell)
    {
        var line = new StringBuilder();
        for (int c = 0; c < widths.Length; c++)
        {
            if (c > 0)
            {
                line.Append("  ");
            }

            string value = cell(c);
            line.Append(numeric[c] ? value.PadLeft(widths[c]) : value.PadRight(widths[c]));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
