// A response body written while the handler runs (server-sent events, long-lived feeds). The head goes
// out when the stream starts, without Content-Length: chunked on HTTP/1.1, delimited by the close on
// HTTP/1.0; the connection closes once the handler returns. Backpressure is the handler's: Write only
// appends to the connection's pipe, FlushAsync hands it to the socket under the connection's write
// deadline (WriteTimeout + size / MinResponseDataRate) and throws once the client has not kept up.
using System.Buffers.Text;
using System.IO.Pipelines;

namespace Prg.Http;

public sealed class ResponseStream
{
    private readonly HttpConnection _connection;
    private readonly PipeWriter _output;
    private readonly bool _chunked;

    internal ResponseStream(HttpConnection connection, PipeWriter output, bool chunked)
    {
        _connection = connection;
        _output = output;
        _chunked = chunked;
    }

    /// <summary>Bytes written since the last completed flush.</summary>
    public long UnflushedBytes => _output.UnflushedBytes;

    /// <summary>Appends <paramref name="data"/> (one chunk on HTTP/1.1); nothing is sent before FlushAsync.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (!_chunked)
        {
            data.CopyTo(_output.GetSpan(data.Length));
            _output.Advance(data.Length);
            return;
        }
        var span = _output.GetSpan(data.Length + 12);
        Utf8Formatter.TryFormat(data.Length, span, out var n, new System.Buffers.StandardFormat('x'));
        "\r\n"u8.CopyTo(span[n..]);
        n += 2;
        data.CopyTo(span[n..]);
        n += data.Length;
        "\r\n"u8.CopyTo(span[n..]);
        _output.Advance(n + 2);
    }

    /// <summary>
    /// Sends what was written. Throws OperationCanceledException when the client did not take it by the
    /// write deadline, IOException when it is gone; the connection is closed after either.
    /// </summary>
    public ValueTask FlushAsync() => _connection.FlushStreamAsync();

    /// <summary>
    /// Closes the connection now (a client that is not reading): a pending FlushAsync fails at once, and
    /// nothing more is sent.
    /// </summary>
    public void Abort() => _connection.AbortStream();

    /// <summary>Ends the body (the last chunk); the connection closes after it.</summary>
    internal void Complete()
    {
        if (_chunked)
        {
            var end = "0\r\n\r\n"u8;
            end.CopyTo(_output.GetSpan(end.Length));
            _output.Advance(end.Length);
        }
    }
}
