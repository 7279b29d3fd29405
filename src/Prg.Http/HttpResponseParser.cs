// The one HTTP/1.1 response head parser (key-service client, load generator, tests): status line, Content-Length and
// Connection, nothing else. Responses are framed by Content-Length only (prg and prg kms never chunk
// their responses); anything it cannot frame is a protocol error, the connection is dropped.
using System.Text;

namespace Prg.Http;

public static class HttpResponseParser
{
    /// <summary>Longest response head accepted before the response counts as malformed.</summary>
    public const int MaxHeadLength = 16 * 1024;

    public enum Result
    {
        /// <summary>The head is complete; <c>head</c> is set.</summary>
        Complete,

        /// <summary>More bytes are needed.</summary>
        Incomplete,

        /// <summary>Not a response this client can frame; <c>error</c> says why.</summary>
        Invalid,
    }

    /// <summary>Parses the response head at the start of <paramref name="buffer"/>.</summary>
    public static Result TryParseHead(ReadOnlySpan<byte> buffer, out HttpResponseHead head, out string? error)
    {
        head = default;
        error = null;
        int end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length > MaxHeadLength)
            {
                error = $"response head longer than {MaxHeadLength} bytes";
                return Result.Invalid;
            }

            return Result.Incomplete;
        }

        ReadOnlySpan<byte> lines = buffer[..(end + 2)];
        int lineEnd = lines.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> statusLine = lines[..lineEnd];

        // "HTTP/1.1 200 OK": version, a space, three digits, then a space or the end.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !IsDigit(statusLine[9]) || !IsDigit(statusLine[10]) || !IsDigit(statusLine[11])
            || (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            error = "malformed status line '" + Encoding.ASCII.GetString(statusLine[..Math.Min(statusLine.Length, 64)]) + "'";
            return Result.Invalid;
        }

        int status = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0');
        bool close = statusLine[7] == (byte)'0'; // HTTP/1.0 closes unless told otherwise
        long contentLength = -1;
        lines = lines[(lineEnd + 2)..];
        while (lines.Length > 0)
        {
            lineEnd = lines.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = lines[..lineEnd];
            lines = lines[(lineEnd + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                error = "malformed header line";
                return Result.Invalid;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!TryParseLength(value, out long length) || (contentLength >= 0 && contentLength != length))
                {
                    error = "invalid Content-Length";
                    return Result.Invalid;
                }

                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                error = "chunked responses are not supported (the load generator frames by Content-Length)";
                return Result.Invalid;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (ContainsIgnoreCase(value, "close"u8))
                {
                    close = true;
                }
                else if (ContainsIgnoreCase(value, "keep-alive"u8))
                {
                    close = false;
                }
            }
        }

        if (contentLength < 0)
        {
            if (status is not (204 or 304) && status >= 200)
            {
                error = $"{status} response without Content-Length";
                return Result.Invalid;
            }

            contentLength = 0;
        }

        head = new HttpResponseHead(status, end + 4, contentLength, close);
        return Result.Complete;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool TryParseLength(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 15)
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> token)
    {
        for (int i = 0; i + token.Length <= text.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(text.Slice(i, token.Length), token))
            {
                return true;
            }
        }

        return false;
    }
}
