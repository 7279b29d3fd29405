// Structured logging: one JSON object per line ({"ts":RFC3339 UTC,"level":..,"msg":..,<fields>}) to stderr
// or a given Stream/TextWriter. Thread-safe; a line is formatted on the calling thread into a thread-local
// buffer and written with a single locked write, so lines never interleave. A call below the minimum
// level returns before touching anything, and `params ReadOnlySpan<LogField>` keeps the field list on the
// stack, so filtered calls allocate nothing; guard expensive message building with IsEnabled.
// Secrets: there is no overload that takes bytes, and callers must log key ids only (see LogField).
using System.Text;

namespace Prg.Logging;

public sealed class Log : IDisposable
{
    // Reused per thread; dropped again after an unusually large line so one burst does not pin memory.
    private const int MaxRetainedBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static JsonLineBuffer? t_buffer;

    [ThreadStatic]
    private static char[]? t_chars;

    private readonly object _sync = new();
    private readonly Stream? _stream;
    private readonly TextWriter? _writer;
    private readonly bool _ownsSink;
    private readonly TimeProvider _time;
    private readonly byte[]? _service;
    private volatile int _minLevel;
    private bool _disposed;

    /// <summary>Writes UTF-8 lines to <paramref name="stream"/>.</summary>
    /// <param name="service">Written as "service" on every line when the process is not the only writer of its stream.</param>
    public Log(Stream stream, LogLevel minLevel, TimeProvider? timeProvider = null, bool ownsStream = false, string? service = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The log stream must be writable.", nameof(stream));
        }

        _stream = stream;
        _ownsSink = ownsStream;
        _service = service is null ? null : Encoding.UTF8.GetBytes(service);
        _time = timeProvider ?? TimeProvider.System;
        MinLevel = minLevel;
    }

    /// <summary>Writes lines to <paramref name="writer"/> (which the caller keeps owning).</summary>
    public Log(TextWriter writer, LogLevel minLevel, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _time = timeProvider ?? TimeProvider.System;
        MinLevel = minLevel;
    }

    private Log()
    {
        _time = TimeProvider.System;
        _minLevel = int.MaxValue;
    }

    /// <summary>A log that writes nothing (tests, embedding).</summary>
    public static Log None { get; } = new();

    /// <summary>The minimum level written; can be changed while logging.</summary>
    public LogLevel MinLevel
    {
        get => (LogLevel)_minLevel;
        set
        {
            ValidateLevel(value);
            _minLevel = (int)value;
        }
    }

    /// <summary>A log writing to the process's standard error.</summary>
    public static Log ToStandardError(LogLevel minLevel, string? service = null) =>
        new(Console.OpenStandardError(), minLevel, null, ownsStream: true, service);

    public bool IsEnabled(LogLevel level) => (int)level >= _minLevel;

    public void Debug(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Debug, message, fields);

    public void Info(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Info, message, fields);

    public void Warn(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Warn, message, fields);

    public void Error(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Error, message, fields);

    public void Write(LogLevel level, string message, params ReadOnlySpan<LogField> fields)
    {
        if ((int)level < _minLevel)
        {
            return;
        }

        ValidateLevel(level);
        ArgumentNullException.ThrowIfNull(message);

        JsonLineBuffer line = t_buffer ??= new JsonLineBuffer();
        line.Clear();
        line.WriteRaw("{\"ts\":\""u8);
        line.WriteTimestamp(_time.GetUtcNow().UtcDateTime);
        line.WriteRaw("\",\"level\":\""u8);
        line.WriteRaw(LevelName(level));
        if (_service is not null)
        {
            line.WriteRaw("\",\"service\":\""u8);
            line.WriteRaw(_service);
        }
        line.WriteRaw("\",\"msg\":"u8);
        line.WriteString(message);

        foreach (ref readonly LogField field in fields)
        {
            line.WriteByte((byte)',');
            line.WriteString(field.Key);
            line.WriteByte((byte)':');
            WriteValue(line, field);
        }

        line.WriteRaw("}\n"u8);
        Emit(line.Written);

        if (line.Length > MaxRetainedBufferBytes)
        {
            t_buffer = null;
            t_chars = null;
        }
    }

    public void Flush()
    {
        lock (_sync)
        {
            FlushSinks();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            FlushSinks();
            _disposed = true;
            if (_ownsSink)
            {
                _stream?.Dispose();
            }
        }
    }

    // Under _sync. Nowhere is left to report a failing log sink: losing log lines must not stop the
    // server, nor turn shutdown into a crash.
    private void FlushSinks()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _stream?.Flush();
            _writer?.Flush();
        }
        catch (IOException)
        {
        }
    }

    private static ReadOnlySpan<byte> LevelName(LogLevel level) => level switch
    {
        LogLevel.Debug => "debug"u8,
        LogLevel.Info => "info"u8,
        LogLevel.Warn => "warn"u8,
        _ => "error"u8,
    };

    private static void ValidateLevel(LogLevel level)
    {
        if (level is < LogLevel.Debug or > LogLevel.Error)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level.");
        }
    }

    private static void WriteValue(JsonLineBuffer line, in LogField field)
    {
        switch (field.Kind)
        {
            case LogFieldKind.Text:
                if (field.TextValue is null)
                {
                    line.WriteRaw("null"u8);
                }
                else
                {
                    line.WriteString(field.TextValue);
                }

                break;
            case LogFieldKind.Integer:
                line.WriteInteger(field.IntegerValue);
                break;
            case LogFieldKind.Float:
                line.WriteFloat(field.FloatValue);
                break;
            case LogFieldKind.Boolean:
                line.WriteRaw(field.IntegerValue != 0 ? "true"u8 : "false"u8);
                break;
            case LogFieldKind.Error:
                Exception ex = field.ErrorValue!;
                line.WriteString($"{ex.GetType().Name}: {ex.Message}");
                break;
        }
    }

    private void Emit(ReadOnlySpan<byte> utf8)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                if (_stream is not null)
                {
                    _stream.Write(utf8);
                    _stream.Flush();
                }
                else
                {
                    char[] chars = t_chars is { } c && c.Length >= Encoding.UTF8.GetMaxCharCount(utf8.Length)
                        ? c
                        : t_chars = new char[Encoding.UTF8.GetMaxCharCount(utf8.Length)];
                    int count = Encoding.UTF8.GetChars(utf8, chars);
                    _writer!.Write(chars, 0, count);
                    _writer.Flush();
                }
            }
            catch (IOException)
            {
                // Logging must never take the server down (e.g. stderr closed by the supervisor).
            }
        }
    }
}
