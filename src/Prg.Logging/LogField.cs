// A typed key/value pair attached to a log line. A struct without boxing so that a call whose level is
// filtered out allocates nothing. There is deliberately no factory for byte spans or arrays: key material,
// wrapped keys, plaintexts and ciphertexts must never reach the log (spec/kms.md section 7), so the only
// way to log bytes would be to turn them into a string on purpose. Log key ids, never keys.
namespace Prg.Logging;

public readonly struct LogField
{
    private readonly object? _reference;
    private readonly long _integer;
    private readonly double _float;

    private LogField(string key, LogFieldKind kind, object? reference, long integer, double number)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Key = key;
        Kind = kind;
        _reference = reference;
        _integer = integer;
        _float = number;
    }

    public string Key { get; }

    internal LogFieldKind Kind { get; }

    internal string? TextValue => _reference as string;

    internal long IntegerValue => _integer;

    internal double FloatValue => _float;

    internal Exception? ErrorValue => _reference as Exception;

    /// <summary>A string value (null is written as JSON null).</summary>
    public static LogField Text(string key, string? value) => new(key, LogFieldKind.Text, value, 0, 0);

    public static LogField Number(string key, long value) => new(key, LogFieldKind.Integer, null, value, 0);

    public static LogField Number(string key, double value) => new(key, LogFieldKind.Float, null, 0, value);

    public static LogField Bool(string key, bool value) => new(key, LogFieldKind.Boolean, null, value ? 1 : 0, 0);

    /// <summary>A duration, written as milliseconds (a JSON number with a fraction).</summary>
    public static LogField Duration(string key, TimeSpan value) => new(key, LogFieldKind.Float, null, 0, value.TotalMilliseconds);

    /// <summary>An exception, written under `error` as "Type: message" (formatted only if the line is written).</summary>
    public static LogField Error(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new LogField("error", LogFieldKind.Error, exception, 0, 0);
    }
}
