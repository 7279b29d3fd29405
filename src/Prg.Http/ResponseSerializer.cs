// Writes a finished HttpResponse into the connection's PipeWriter: status line, Date, framing
// headers, the handler's headers, then the body (at once, or in pieces the connection hands over).
// Content-Length is always set.
using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace Prg.Http;

internal static class ResponseSerializer
{
    /// <summary>Writes head and body in one piece: for bodies small enough to sit in the pipe at once.</summary>
    public static void Write(PipeWriter output, HttpResponse response, bool keepAlive, bool isHttp10, bool headOnly)
    {
        var body = headOnly ? default : response.Body.WrittenSpan;
        var span = output.GetSpan(MaxHeadLength(response) + body.Length);
        var n = PutHead(span, response, keepAlive, isHttp10);
        Put(span, ref n, body);
        output.Advance(n);
    }

    /// <summary>Writes only the head (Content-Length of the whole body): the caller sends the body in pieces.</summary>
    public static void WriteHead(PipeWriter output, HttpResponse response, bool keepAlive, bool isHttp10)
    {
        var span = output.GetSpan(MaxHeadLength(response));
        output.Advance(PutHead(span, response, keepAlive, isHttp10));
    }

    /// <summary>Writes the head of a streamed body: no Content-Length, chunked (HTTP/1.1) or close-delimited, then close.</summary>
    public static void WriteStreamHead(PipeWriter output, HttpResponse response, bool chunked)
    {
        var span = output.GetSpan(MaxHeadLength(response) + 32);
        output.Advance(PutHead(span, response, keepAlive: false, isHttp10: false, contentLength: !chunked ? -2 : -1));
    }

    private static int MaxHeadLength(HttpResponse response) =>
        StatusLines.For(response.StatusCode).Length + DateHeader.Line.Length + 16 + response.ContentType.Length + 2
        + 16 + 20 + 2 + 24 + response.ExtraHeaders.Length + 2;

    /// <param name="contentLength">-1: chunked; -2: delimited by the close; otherwise the body's length.</param>
    private static int PutHead(Span<byte> span, HttpResponse response, bool keepAlive, bool isHttp10, long contentLength = 0)
    {
        var n = 0;
        Put(span, ref n, StatusLines.For(response.StatusCode));
        Put(span, ref n, DateHeader.Line);
        Put(span, ref n, "Content-Type: "u8);
        Put(span, ref n, response.ContentType.Span);
        if (contentLength == -1)
        {
            Put(span, ref n, "\r\nTransfer-Encoding: chunked"u8);
        }
        else if (contentLength != -2)
        {
            Put(span, ref n, "\r\nContent-Length: "u8);
            Utf8Formatter.TryFormat(response.Body.WrittenCount, span[n..], out var digits);
            n += digits;
        }
        Put(span, ref n, "\r\n"u8);
        if (!keepAlive)
        {
            Put(span, ref n, "Connection: close\r\n"u8);
        }
        else if (isHttp10)
        {
            Put(span, ref n, "Connection: keep-alive\r\n"u8);
        }
        Put(span, ref n, response.ExtraHeaders);
        Put(span, ref n, "\r\n"u8);
        return n;
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
