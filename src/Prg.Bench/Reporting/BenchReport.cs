// The outcome of one `prg bench` run: what was run with which parameters, result tables and notes.
namespace Prg.Bench;

public sealed class BenchReport
{
    public BenchReport(string mode, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(mode);
        ArgumentNullException.ThrowIfNull(parameters);
        Mode = mode;
        Parameters = parameters;
    }

    /// <summary>crypto, kms or http.</summary>
    public string Mode { get; }

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    public List<ReportSection> Sections { get; } = [];

    /// <summary>Things the reader must know (errors seen, caveats), one line each.</summary>
    public List<string> Notes { get; } = [];

    public ReportSection? FindSection(string name) => Sections.Find(s => s.Name == name);
}
