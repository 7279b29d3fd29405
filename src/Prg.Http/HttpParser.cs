// HTTP/1.1 request-head parser (RFC 9112), strict where leniency enables request smuggling:
// CRLF line endings only, no obs-fold, no whitespace before ':', no control bytes, one framing.
// The head is located in the pipe's ReadOnlySequence (fast path when it sits in one segment),
// copied once into the request's pooled buffer and parsed there as offsets: no per-header strings.
using System.Buffers;
using System.Text;

namespace Prg.Http;

public static class HttpParser
{
    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    private static readonly SearchValues<byte> s_tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Visible ASCII except the bytes that may not appear in an origin-form target ('#' starts a fragment).
    private static readonly SearchValues<byte> s_targetChars = SearchValues.Create(
        "!$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>
    /// Looks for a complete request head at the start of <paramref name="buffer"/>. Returns false when
    /// more bytes are needed; throws when what is there can never become a valid head (too long,
    /// bare LF).
    /// </summary>
    public static bool TryFindHead(in ReadOnlySequence<byte> buffer, HttpLimits limits, out int headLength)
    {
        long found;
        if (buffer.IsSingleSegment)
        {
            found = buffer.FirstSpan.IndexOf(HeadTerminator);
        }
        else
        {
            var reader = new SequenceReader<byte>(buffer);
            found = reader.TryReadTo(out ReadOnlySequence<byte> _, HeadTerminator, advancePastDelimiter: false)
                ? reader.Consumed
                : -1;
        }

        var maxHead = (long)limits.MaxRequestLineLength + limits.MaxHeaderSectionLength;
        if (found >= 0)
        {
            headLength = checked((int)(found + HeadTerminator.Length));
            if (headLength > maxHead + HeadTerminator.Length)
            {
                throw RejectHeadSize(buffer, limits);
            }
            return true;
        }

        headLength = 0;
        if (buffer.Length > maxHead)
        {
            throw RejectHeadSize(buffer, limits);
        }
        RejectEarly(buffer, limits);
        return false;
    }

    /// <summary>Parses a complete head (as located by <see cref="TryFindHead"/>) into the request.</summary>
    public static void ParseHead(in ReadOnlySequence<byte> buffer, int headLength, HttpRequest request, HttpLimits limits)
    {
        request.Reset();
        var head = request.PrepareHead(headLength);
        buffer.Slice(0, headLength).CopyTo(head);

        var lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd > limits.MaxRequestLineLength)
        {
            throw new BadHttpRequestException(RequestRejectionReason.RequestLineTooLong);
        }
        if (headLength - lineEnd - 2 > limits.MaxHeaderSectionLength)
        {
            throw new BadHttpRequestException(RequestRejectionReason.HeadersTooLarge);
        }
        ParseRequestLine(head[..lineEnd], request);
        ParseHeaders(head, lineEnd + 2, request, limits);
    }

    private static void ParseRequestLine(ReadOnlySpan<byte> line, HttpRequest request)
    {
        var methodEnd = line.IndexOf((byte)' ');
        if (methodEnd <= 0 || line[..methodEnd].ContainsAnyExcept(s_tokenChars))
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
        }
        var rest = line[(methodEnd + 1)..];
        var targetEnd = rest.IndexOf((byte)' ');
        if (targetEnd <= 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
        }
        var target = rest[..targetEnd];
        ParseVersion(rest[(targetEnd + 1)..], request);
        request.Method = MatchMethod(line[..methodEnd]);

        var targetStart = methodEnd + 1;
        if (target.ContainsAnyExcept(s_targetChars))
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
        }
        var pathStart = 0;
        if (target[0] != (byte)'/')
        {
            // "OPTIONS *" is the asterisk form; anything else not starting with '/' must be the
            // absolute form. The authority form (CONNECT) is not served.
            if (target.Length != 1 || target[0] != (byte)'*' || request.Method != HttpMethod.Options)
            {
                pathStart = AbsoluteFormPathStart(target);
            }
        }
        var pathAndQuery = target[pathStart..];
        var question = pathAndQuery.IndexOf((byte)'?');
        var pathLength = question < 0 ? pathAndQuery.Length : question;
        var queryStart = question < 0 ? 0 : targetStart + pathStart + question + 1;
        var queryLength = question < 0 ? 0 : pathAndQuery.Length - question - 1;
        if (pathLength == 0)
        {
            // "http://host" or "http://host?q": the path is "/", which is the last byte of "//".
            request.SetRequestLine(0, methodEnd, targetStart + target.IndexOf("//"u8) + 1, 1, queryStart, queryLength);
            return;
        }
        request.SetRequestLine(0, methodEnd, targetStart + pathStart, pathLength, queryStart, queryLength);
    }

    /// <summary>
    /// Where the path starts in an absolute-form target (RFC 9112 §3.2.2, "http://host/path?q"). The
    /// request is routed by that path; the authority is checked, then ignored like the Host header.
    /// </summary>
    private static int AbsoluteFormPathStart(ReadOnlySpan<byte> target)
    {
        var schemeLength = target.Length > 7 && Ascii.EqualsIgnoreCase(target[..7], "http://"u8) ? 7
            : target.Length > 8 && Ascii.EqualsIgnoreCase(target[..8], "https://"u8) ? 8
            : throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
        var rest = target[schemeLength..];
        var authorityLength = rest.IndexOfAny((byte)'/', (byte)'?');
        var authority = authorityLength < 0 ? rest : rest[..authorityLength];
        // An http(s) URI with an empty host is invalid, and userinfo is refused (RFC 9110 §4.2.1, §4.2.4).
        if (authority.IsEmpty || authority.Contains((byte)'@'))
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
        }
        return schemeLength + authority.Length;
    }

    private static void ParseVersion(ReadOnlySpan<byte> version, HttpRequest request)
    {
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            request.IsHttp11 = true;
            return;
        }
        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            request.IsHttp11 = false;
            return;
        }
        if (version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
            && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]))
        {
            throw new BadHttpRequestException(RequestRejectionReason.UnsupportedHttpVersion);
        }
        throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
    }

    private static HttpMethod MatchMethod(ReadOnlySpan<byte> method) => method switch
    {
        [(byte)'G', (byte)'E', (byte)'T'] => HttpMethod.Get,
        [(byte)'P', (byte)'U', (byte)'T'] => HttpMethod.Put,
        [(byte)'P', (byte)'O', (byte)'S', (byte)'T'] => HttpMethod.Post,
        [(byte)'H', (byte)'E', (byte)'A', (byte)'D'] => HttpMethod.Head,
        [(byte)'P', (byte)'A', (byte)'T', (byte)'C', (byte)'H'] => HttpMethod.Patch,
        [(byte)'T', (byte)'R', (byte)'A', (byte)'C', (byte)'E'] => HttpMethod.Trace,
        [(byte)'D', (byte)'E', (byte)'L', (byte)'E', (byte)'T', (byte)'E'] => HttpMethod.Delete,
        [(byte)'O', (byte)'P', (byte)'T', (byte)'I', (byte)'O', (byte)'N', (byte)'S'] => HttpMethod.Options,
        [(byte)'C', (byte)'O', (byte)'N', (byte)'N', (byte)'E', (byte)'C', (byte)'T'] => HttpMethod.Connect,
        _ => HttpMethod.Custom,
    };

    private static void ParseHeaders(ReadOnlySpan<byte> head, int start, HttpRequest request, HttpLimits limits)
    {
        var hosts = 0;
        bool sawTransferEncoding = false, closeRequested = false, keepAliveRequested = false;
        var position = start;
        while (true)
        {
            var lineLength = head[position..].IndexOf("\r\n"u8);
            if (lineLength == 0)
            {
                break; // the empty line that ends the head
            }
            var line = head.Slice(position, lineLength);
            if (line[0] is (byte)' ' or (byte)'\t')
            {
                throw new BadHttpRequestException(RequestRejectionReason.ObsoleteLineFolding);
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].ContainsAnyExcept(s_tokenChars))
            {
                throw new BadHttpRequestException(RequestRejectionReason.InvalidHeaderLine);
            }
            var valueStart = colon + 1;
            var valueEnd = line.Length;
            while (valueStart < valueEnd && line[valueStart] is (byte)' ' or (byte)'\t')
            {
                valueStart++;
            }

            while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t')
            {
                valueEnd--;
            }

            var value = line[valueStart..valueEnd];
            if (ContainsControl(value))
            {
                throw new BadHttpRequestException(RequestRejectionReason.InvalidHeaderLine);
            }
            if (request.HeaderCount >= limits.MaxHeaderCount)
            {
                throw new BadHttpRequestException(RequestRejectionReason.TooManyHeaders);
            }
            request.AddHeader(position, colon, position + valueStart, value.Length);

            var name = line[..colon];
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                var length = ParseContentLength(value);
                if (request.ContentLength >= 0 && request.ContentLength != length)
                {
                    throw new BadHttpRequestException(RequestRejectionReason.MultipleContentLength);
                }
                request.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                // Only a single "chunked" is understood; lists and repeats are smuggling material.
                if (sawTransferEncoding || !Ascii.EqualsIgnoreCase(value, "chunked"u8))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.UnsupportedTransferEncoding);
                }
                sawTransferEncoding = true;
                request.IsChunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                if (++hosts > 1)
                {
                    throw new BadHttpRequestException(RequestRejectionReason.MultipleHost);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                ReadConnectionTokens(value, ref closeRequested, ref keepAliveRequested);
            }
            else if (Ascii.EqualsIgnoreCase(name, "expect"u8) && Ascii.EqualsIgnoreCase(value, "100-continue"u8))
            {
                request.ExpectsContinue = true;
            }
            position += lineLength + 2;
        }

        if (request.IsChunked && request.ContentLength >= 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.ContentLengthWithTransferEncoding);
        }
        if (request.IsChunked && !request.IsHttp11)
        {
            throw new BadHttpRequestException(RequestRejectionReason.UnsupportedTransferEncoding);
        }
        if (request.IsHttp11 && hosts == 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.MissingHost);
        }
        if (request.ContentLength > limits.MaxBodyLength)
        {
            throw new BadHttpRequestException(RequestRejectionReason.BodyTooLarge);
        }
        request.KeepAlive = !closeRequested && (request.IsHttp11 || keepAliveRequested);
    }

    private static long ParseContentLength(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.Length > 18)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidContentLength);
        }
        long result = 0;
        foreach (var b in value)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                throw new BadHttpRequestException(RequestRejectionReason.InvalidContentLength);
            }
            result = result * 10 + (b - '0');
        }
        return result;
    }

    private static void ReadConnectionTokens(ReadOnlySpan<byte> value, ref bool close, ref bool keepAlive)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(token, "close"u8))
            {
                close = true;
            }
            else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
            {
                keepAlive = true;
            }
        }
    }

    internal static bool ContainsControl(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return true;
            }
        }
        return false;
    }

    private static BadHttpRequestException RejectHeadSize(in ReadOnlySequence<byte> buffer, HttpLimits limits)
    {
        var firstLine = FindFirstLineEnd(buffer, limits.MaxRequestLineLength + 1);
        return new BadHttpRequestException(firstLine < 0
            ? RequestRejectionReason.RequestLineTooLong
            : RequestRejectionReason.HeadersTooLarge);
    }

    // An incomplete head is refused as soon as it is certain to be bad, so a client cannot make the
    // server wait for the header timeout with a request line that is already too long or a bare LF.
    private static void RejectEarly(in ReadOnlySequence<byte> buffer, HttpLimits limits)
    {
        if (buffer.Length > limits.MaxRequestLineLength && FindFirstLineEnd(buffer, limits.MaxRequestLineLength + 1) < 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.RequestLineTooLong);
        }
        var previous = (byte)0;
        foreach (var segment in buffer)
        {
            foreach (var b in segment.Span)
            {
                if (b == (byte)'\n' && previous != (byte)'\r')
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidHeaderLine);
                }
                previous = b;
            }
        }
    }

    private static long FindFirstLineEnd(in ReadOnlySequence<byte> buffer, int within)
    {
        var slice = buffer.Length > within ? buffer.Slice(0, within) : buffer;
        var position = slice.PositionOf((byte)'\n');
        return position is null ? -1 : slice.Slice(0, position.Value).Length;
    }
}
