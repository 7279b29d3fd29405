// The response a handler builds: status, extra headers (pre-formatted bytes) and a pooled body.
// The connection serialises it straight into the PipeWriter after the handler returns.
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Prg.Http;

public sealed class HttpResponse : IDisposable
{
    private readonly PooledBuffer _headers = new(256);
    private readonly PooledBuffer _body = new(1024);
    private Utf8JsonWriter? _json;

    public int StatusCode { get; set; } = 200;

    /// <summary>Content-Type of the body; JSON unless a handler says otherwise.</summary>
    public ReadOnlyMemory<byte> ContentType { get; set; } = ContentTypes.Json;

    /// <summary>Set to close the connection after this response.</summary>
    public bool CloseConnection { get; set; }

    public PooledBuffer Body => _body;

    internal ReadOnlySpan<byte> ExtraHeaders => _headers.WrittenSpan;

    public void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        _headers.Write(name);
        _headers.Write(": "u8);
        _headers.Write(value);
        _headers.Write("\r\n"u8);
    }

    public void AddHeader(ReadOnlySpan<byte> name, string value)
    {
        _headers.Write(name);
        _headers.Write(": "u8);
        var span = _headers.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        _headers.Advance(Encoding.UTF8.GetBytes(value, span));
        _headers.Write("\r\n"u8);
    }

    /// <summary>A JSON writer over the body, reset for this response; flush happens on completion.</summary>
    public Utf8JsonWriter JsonWriter()
    {
        if (_json is null)
        {
            _json = new Utf8JsonWriter(_body, new JsonWriterOptions { SkipValidation = true });
        }
        else
        {
            _json.Reset(_body);
        }
        return _json;
    }

    public void WriteJson<T>(int status, T value, JsonTypeInfo<T> typeInfo)
    {
        StatusCode = status;
        ContentType = ContentTypes.Json;
        _body.Clear();
        var writer = JsonWriter();
        JsonSerializer.Serialize(writer, value, typeInfo);
        writer.Flush();
    }

    /// <summary>The API's error shape: {"error":"message"}.</summary>
    public void WriteError(int status, string message)
    {
        StatusCode = status;
        ContentType = ContentTypes.Json;
        _body.Clear();
        var writer = JsonWriter();
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteEndObject();
        writer.Flush();
    }

    public void WriteRaw(int status, ReadOnlySpan<byte> body, ReadOnlyMemory<byte> contentType)
    {
        StatusCode = status;
        ContentType = contentType;
        _body.Clear();
        _body.Write(body);
    }

    internal void Reset()
    {
        StatusCode = 200;
        ContentType = ContentTypes.Json;
        CloseConnection = false;
        _headers.Clear();
        _body.Clear();
    }

    public void Dispose()
    {
        _json?.Dispose();
        _headers.Dispose();
        _body.Dispose();
    }
}
