// One parsed request. Reused for every request on a connection: the head is copied into a pooled
// buffer and headers are offsets into it, so parsing allocates nothing per request.
using System.Buffers;
using System.Text;

namespace Prg.Http;

public sealed class HttpRequest : IDisposable
{
    private byte[] _head = ArrayPool<byte>.Shared.Rent(1024);
    private int _headLength;
    private HeaderEntry[] _headers = new HeaderEntry[16];
    private readonly PooledBuffer _body = new();
    private int _methodStart, _methodLength, _pathStart, _pathLength, _queryStart, _queryLength;

    public HttpMethod Method { get; internal set; }
    public bool IsHttp11 { get; internal set; }
    public int HeaderCount { get; private set; }

    /// <summary>Content-Length, or -1 when absent.</summary>
    public long ContentLength { get; internal set; } = -1;
    public bool IsChunked { get; internal set; }
    public bool ExpectsContinue { get; internal set; }

    /// <summary>Whether the client asked to keep the connection open (HTTP/1.1 default, 1.0 opt-in).</summary>
    public bool KeepAlive { get; internal set; }

    /// <summary>The raw (still percent-encoded) path of the request target.</summary>
    public ReadOnlySpan<byte> Path => _head.AsSpan(_pathStart, _pathLength);

    /// <summary>The raw query without the leading '?'; empty when there is none.</summary>
    public ReadOnlySpan<byte> Query => _head.AsSpan(_queryStart, _queryLength);

    public ReadOnlySpan<byte> Body => _body.WrittenSpan;
    public ReadOnlyMemory<byte> BodyMemory => _body.WrittenMemory;

    internal PooledBuffer BodyBuffer => _body;

    public string PathString => Encoding.ASCII.GetString(Path);

    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < HeaderCount; i++)
        {
            ref readonly var h = ref _headers[i];
            if (Ascii.EqualsIgnoreCase(_head.AsSpan(h.NameStart, h.NameLength), name))
            {
                value = _head.AsSpan(h.ValueStart, h.ValueLength);
                return true;
            }
        }
        value = default;
        return false;
    }

    public string? GetHeaderString(ReadOnlySpan<byte> name) =>
        TryGetHeader(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    public ReadOnlySpan<byte> HeaderName(int index) => _head.AsSpan(_headers[index].NameStart, _headers[index].NameLength);

    public ReadOnlySpan<byte> HeaderValue(int index) => _head.AsSpan(_headers[index].ValueStart, _headers[index].ValueLength);

    /// <summary>Finds a query parameter by name; the value is still percent-encoded.</summary>
    public bool TryGetQuery(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> rawValue)
    {
        var query = Query;
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf((byte)'&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            var eq = pair.IndexOf((byte)'=');
            var key = eq < 0 ? pair : pair[..eq];
            if (key.SequenceEqual(name))
            {
                rawValue = eq < 0 ? default : pair[(eq + 1)..];
                return true;
            }
        }
        rawValue = default;
        return false;
    }

    /// <summary>A query parameter, percent- and '+'-decoded as UTF-8; null when absent.</summary>
    public string? GetQueryString(ReadOnlySpan<byte> name) =>
        TryGetQuery(name, out var raw) ? PercentDecoder.DecodeQueryValue(raw) : null;

    internal Span<byte> PrepareHead(int length)
    {
        if (_head.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_head);
            _head = ArrayPool<byte>.Shared.Rent(length);
        }
        _headLength = length;
        return _head.AsSpan(0, length);
    }

    internal ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    internal void Reset()
    {
        HeaderCount = 0;
        ContentLength = -1;
        IsChunked = false;
        ExpectsContinue = false;
        KeepAlive = false;
        Method = HttpMethod.Custom;
        _queryLength = 0;
        _body.Clear();
    }

    internal void SetRequestLine(int methodStart, int methodLength, int pathStart, int pathLength, int queryStart, int queryLength)
    {
        (_methodStart, _methodLength, _pathStart, _pathLength, _queryStart, _queryLength) =
            (methodStart, methodLength, pathStart, pathLength, queryStart, queryLength);
    }

    internal void AddHeader(int nameStart, int nameLength, int valueStart, int valueLength)
    {
        if (HeaderCount == _headers.Length)
        {
            Array.Resize(ref _headers, _headers.Length * 2);
        }
        _headers[HeaderCount++] = new HeaderEntry(nameStart, nameLength, valueStart, valueLength);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_head);
        _head = [];
        _body.Dispose();
    }

    private readonly record struct HeaderEntry(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
