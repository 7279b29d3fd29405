// The key service's log: one JSON object per line on stderr. Callers pass key ids and counts only;
// key material, wrapped keys, plaintexts and ciphertexts are never given to it.
using System.Text.Json;

namespace Prg.Kms;

/// <summary>A minimal structured line logger.</summary>
public sealed class KmsLog
{
    private readonly TextWriter? _output;
    private readonly Lock _lock = new();

    private KmsLog(TextWriter? output)
    {
        _output = output;
    }

    /// <summary>A log that drops everything (tests, embedding).</summary>
    public static KmsLog None { get; } = new(null);

    public static KmsLog ToStandardError() => new(Console.Error);

    public static KmsLog To(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return new KmsLog(writer);
    }

    public void Info(string message, params ReadOnlySpan<(string Key, string Value)> fields) => Write("info", message, fields);

    public void Warn(string message, params ReadOnlySpan<(string Key, string Value)> fields) => Write("warn", message, fields);

    public void Error(string message, params ReadOnlySpan<(string Key, string Value)> fields) => Write("error", message, fields);

    private void Write(string level, string message, ReadOnlySpan<(string Key, string Value)> fields)
    {
        if (_output is null)
        {
            return;
        }

        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ts"u8, DateTimeOffset.UtcNow);
            writer.WriteString("level"u8, level);
            writer.WriteString("service"u8, "prgkms");
            writer.WriteString("msg"u8, message);
            foreach ((string key, string value) in fields)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        string line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_lock)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
