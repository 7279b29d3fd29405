// A column of a report section: its JSON key and its table header.
namespace Prg.Bench;

public readonly record struct ReportColumn(string Key, string Header);
