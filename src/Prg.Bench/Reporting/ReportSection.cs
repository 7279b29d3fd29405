// A table of a benchmark report (e.g. per-size crypto throughput, per-kind HTTP latency).
namespace Prg.Bench;

public sealed class ReportSection
{
    private readonly List<ReportValue[]> _rows = [];

    /// <param name="name">JSON key of the section (snake_case).</param>
    /// <param name="title">Heading in the table output.</param>
    public ReportSection(string name, string title, params ReportColumn[] columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(title);
        if (columns.Length == 0)
        {
            throw new ArgumentException("a section needs at least one column", nameof(columns));
        }

        Name = name;
        Title = title;
        Columns = columns;
    }

    public string Name { get; }

    public string Title { get; }

    public IReadOnlyList<ReportColumn> Columns { get; }

    public IReadOnlyList<ReportValue[]> Rows => _rows;

    public void AddRow(params ReportValue[] row)
    {
        if (row.Length != Columns.Count)
        {
            throw new ArgumentException($"section '{Name}' has {Columns.Count} columns; the row has {row.Length}", nameof(row));
        }

        _rows.Add(row);
    }
}
