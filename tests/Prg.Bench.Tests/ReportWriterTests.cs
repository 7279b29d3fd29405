// Report output: the aligned text table and the JSON shape scripts read.
using System.Text.Json;

namespace Prg.Bench.Tests;

public class ReportWriterTests
{
    private static BenchReport Sample()
    {
        var report = new BenchReport("crypto", [new("sizes", "64,1024"), new("threads", "1")]);
        var section = new ReportSection("throughput", "Throughput", new("size", "size B"), new("operation", "operation"), new("ops_per_second", "ops/s"));
        section.AddRow(ReportValue.Of(64), ReportValue.Of("frame-encrypt"), ReportValue.Of(1234567.891, "0"));
        section.AddRow(ReportValue.Of(1024), ReportValue.Of("gcm"), ReportValue.Of(98.5, "0.0"));
        report.Sections.Add(section);
        report.Notes.Add("a note");
        return report;
    }

    [Fact]
    public void The_table_right_aligns_numbers_and_left_aligns_text()
    {
        string[] lines = ReportWriter.ToTable(Sample()).Split('\n');
        Assert.Equal("prg bench crypto  sizes=64,1024  threads=1", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal("Throughput", lines[2]);
        Assert.Equal("size B  operation        ops/s", lines[3]);
        Assert.Equal("    64  frame-encrypt  1234568", lines[4]);
        Assert.Equal("  1024  gcm               98.5", lines[5]);
        Assert.Contains("note: a note", lines);
    }

    [Fact]
    public void The_json_has_mode_parameters_sections_of_row_objects_and_notes()
    {
        using var stream = new MemoryStream();
        ReportWriter.WriteJson(Sample(), stream);
        using JsonDocument json = JsonDocument.Parse(stream.ToArray());
        JsonElement root = json.RootElement;
        Assert.Equal("crypto", root.GetProperty("mode").GetString());
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("started_at").GetString(), out _));
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("machine").GetProperty("processors").GetInt32());
        Assert.Equal("64,1024", root.GetProperty("parameters").GetProperty("sizes").GetString());
        JsonElement rows = root.GetProperty("sections").GetProperty("throughput");
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal(64, rows[0].GetProperty("size").GetInt32());
        Assert.Equal("frame-encrypt", rows[0].GetProperty("operation").GetString());
        Assert.Equal(1234567.891, rows[0].GetProperty("ops_per_second").GetDouble(), 3);
        Assert.Equal("a note", root.GetProperty("notes")[0].GetString());
    }

    [Fact]
    public void A_number_that_is_not_finite_is_written_as_null()
    {
        var report = new BenchReport("http", []);
        var section = new ReportSection("s", "S", new ReportColumn("ratio", "ratio"));
        section.AddRow(ReportValue.Of(double.NaN));
        report.Sections.Add(section);
        using var stream = new MemoryStream();
        ReportWriter.WriteJson(report, stream);
        using JsonDocument json = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("sections").GetProperty("s")[0].GetProperty("ratio").ValueKind);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_rejected()
    {
        var section = new ReportSection("s", "S", new("a", "a"), new("b", "b"));
        Assert.Throws<ArgumentException>(() => section.AddRow(ReportValue.Of(1)));
    }

    [Fact]
    public void Plain_progress_lines_show_rate_elapsed_and_eta()
    {
        var output = new StringWriter();
        using (var progress = new ProgressReporter(output, interactive: false, TimeSpan.FromHours(1)))
        {
            progress.Start(TimeSpan.FromSeconds(90));
            long done = 0;
            progress.BeginPhase("frame-encrypt 64 B x1", () => done);
            done = 1000;
            progress.Tick();
        }

        string line = output.ToString();
        Assert.Matches(@"^frame-encrypt 64 B x1: [\d.]+[kM]? ops/s, elapsed 0:0\d, ETA 1:[23]\d\n$", line);
    }

    [Fact]
    public void Terminal_progress_rewrites_one_line_and_clears_it_at_the_end()
    {
        var output = new StringWriter();
        using (var progress = new ProgressReporter(output, interactive: true, TimeSpan.FromHours(1)))
        {
            progress.Start(TimeSpan.FromSeconds(10));
            progress.BeginPhase("http", () => 5);
            progress.Tick();
            progress.Tick();
        }

        string text = output.ToString();
        Assert.DoesNotContain('\n', text);
        Assert.Equal(4, text.Count(c => c == '\r')); // two updates, then clear: "\r<spaces>\r"
        Assert.EndsWith("\r", text);
    }

    [Fact]
    public void Progress_format_counts_the_eta_down_to_zero()
    {
        Assert.Equal("x: 250k ops/s, elapsed 0:05, ETA 0:15",
            ProgressReporter.Format("x", 250_000, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20)));
        Assert.Equal("x: 12 ops/s, elapsed 1:05, ETA 0:00",
            ProgressReporter.Format("x", 12, TimeSpan.FromSeconds(65), TimeSpan.FromSeconds(20)));
    }
}
