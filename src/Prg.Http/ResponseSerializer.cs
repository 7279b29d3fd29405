// Writes a finished HttpResponse into the connection's PipeWriter: status line, Date, framing
// headers, the handler's headers, then the body. Content-Length is always set.
using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace Prg.Http;

internal static class ResponseSerializer
{
    public static void Write(PipeWriter output, HttpResponse response, bool keepAlive, bool isHttp10, bool headOnly)
    {
        var body = response.Body.WrittenSpan;
        var extra = response.ExtraHeaders;
        var status = StatusLines.For(response.StatusCode);
        var date = DateHeader.Line;
        var contentType = response.ContentType.Span;
        // Upper bound of the head; the body follows in the same buffer.
        var headSize = status.Length + date.Length + 16 + contentType.Length + 2 + 16 + 20 + 2 + 24 + extra.Length + 2;
        var span = output.GetSpan(headSize + (headOnly ? 0 : body.Length));
        var n = 0;
        Put(span, ref n, status);
        Put(span, ref n, date);
        Put(span, ref n, "Content-Type: "u8);
        Put(span, ref n, contentType);
        Put(span, ref n, "\r\nContent-Length: "u8);
        Utf8Formatter.TryFormat(body.Length, span[n..], out var digits);
        n += digits;
        Put(span, ref n, "\r\n"u8);
        if (!keepAlive)
        {
            Put(span, ref n, "Connection: close\r\n"u8);
        }
        else if (isHttp10)
        {
            Put(span, ref n, "Connection: keep-alive\r\n"u8);
        }
        Put(span, ref n, extra);
        Put(span, ref n, "\r\n"u8);
        if (!headOnly)
        {
            Put(span, ref n, body);
        }
        output.Advance(n);
    }

    public static void WriteContinue(PipeWriter output)
    {
        var line = "HTTP/1.1 100 Continue\r\n\r\n"u8;
        line.CopyTo(output.GetSpan(line.Length));
        output.Advance(line.Length);
    }

    private static void Put(Span<byte> span, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[n..]);
        n += bytes.Length;
    }
}
