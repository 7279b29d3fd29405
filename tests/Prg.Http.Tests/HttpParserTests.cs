// The request-head parser: what it accepts, every rejection with its status, segment independence.
using System.Buffers;
using System.Text;

namespace Prg.Http.Tests;

public sealed class HttpParserTests
{
    private static readonly HttpLimits Limits = new() { MaxRequestLineLength = 256, MaxHeaderSectionLength = 512, MaxHeaderCount = 10, MaxBodyLength = 1000 };

    private static HttpRequest Parse(string text, HttpLimits? limits = null) => Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), limits);

    private static HttpRequest Parse(ReadOnlySequence<byte> input, HttpLimits? limits = null)
    {
        limits ??= Limits;
        Assert.True(HttpParser.TryFindHead(input, limits, out var length), "head should be complete");
        var request = new HttpRequest();
        HttpParser.ParseHead(input, length, request, limits);
        return request;
    }

    private static int RejectionStatus(string text, HttpLimits? limits = null)
    {
        var error = Assert.Throws<BadHttpRequestException>(() => Parse(text, limits));
        return error.StatusCode;
    }

    [Fact]
    public void ParsesMethodPathQueryAndHeaders()
    {
        var request = Parse("POST /frontend/v1/threads?limit=5&after=a%3Ab HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nX-User-ID:  alice \r\n\r\n");
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/frontend/v1/threads", request.PathString);
        Assert.Equal("limit=5&after=a%3Ab", Encoding.ASCII.GetString(request.Query));
        Assert.Equal("a:b", request.GetQueryString("after"u8));
        Assert.Equal("5", request.GetQueryString("limit"u8));
        Assert.Null(request.GetQueryString("before"u8));
        Assert.Equal(12, request.ContentLength);
        Assert.Equal("alice", request.GetHeaderString("x-user-id"u8));
        Assert.True(request.KeepAlive);
        Assert.True(request.IsHttp11);
    }

    [Theory]
    [InlineData("GET", HttpMethod.Get)]
    [InlineData("HEAD", HttpMethod.Head)]
    [InlineData("POST", HttpMethod.Post)]
    [InlineData("PUT", HttpMethod.Put)]
    [InlineData("DELETE", HttpMethod.Delete)]
    [InlineData("PATCH", HttpMethod.Patch)]
    [InlineData("OPTIONS", HttpMethod.Options)]
    [InlineData("BREW", HttpMethod.Custom)]
    public void RecognisesMethodsAsBytes(string method, HttpMethod expected)
    {
        Assert.Equal(expected, Parse($"{method} / HTTP/1.1\r\nHost: x\r\n\r\n").Method);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n", false)]
    public void KeepAliveFollowsVersionAndConnectionHeader(string text, bool keepAlive)
    {
        Assert.Equal(keepAlive, Parse(text).KeepAlive);
    }

    [Theory]
    [InlineData("GET http://example.com/v1/threads?limit=5 HTTP/1.1", "/v1/threads", "limit=5")]
    [InlineData("GET HTTPS://example.com:8443/a/b HTTP/1.1", "/a/b", "")]
    [InlineData("GET http://[::1]:8080/a%20b?x HTTP/1.1", "/a%20b", "x")]
    [InlineData("GET http://example.com HTTP/1.1", "/", "")]
    [InlineData("GET http://example.com?q=1 HTTP/1.1", "/", "q=1")]
    public void AcceptsTheAbsoluteFormAndRoutesByItsPath(string requestLine, string path, string query)
    {
        // RFC 9112 §3.2.2: the target's authority wins; a Host header that disagrees is ignored.
        var request = Parse(requestLine + "\r\nHost: other\r\n\r\n");
        Assert.Equal(path, request.PathString);
        Assert.Equal(query, Encoding.ASCII.GetString(request.Query));
        Assert.Equal("other", request.GetHeaderString("host"u8));
    }

    public static TheoryData<string, int> Rejections => new()
    {
        { "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },                      // double space
        { "GET /\r\nHost: x\r\n\r\n", 400 },                                 // no version
        { "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },                        // method not a token
        { "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
        { "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505 },
        { "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET / http/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET noslash HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400 },                        // asterisk only for OPTIONS
        { "GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400 },                 // absolute form: http(s) only
        { "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", 400 },               // empty host
        { "GET http://u@x/a HTTP/1.1\r\nHost: x\r\n\r\n", 400 },            // userinfo
        { "GET http:// HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET http://x/a HTTP/1.1\r\n\r\n", 400 },                        // absolute form still needs Host
        { "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },              // authority form not served
        { "GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\n\r\n", 400 },                                   // missing Host
        { "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nName : v\r\n\r\n", 400 },           // whitespace before colon
        { "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n folded\r\n\r\n", 400 },   // obs-fold
        { "GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n", 400 },            // NUL
        { "GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", 400 },            // bare CR
        { "GET / HTTP/1.1\r\nHost: x\r\nA: b\nc\r\n\r\n", 400 },            // bare LF inside a line
        { "GET / HTTP/1.1\r\nHost: x\r\nA: b\u007fc\r\n\r\n", 400 },        // DEL
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", 413 },
        { "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\nF: 1\r\nG: 1\r\nH: 1\r\nI: 1\r\nJ: 1\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void RejectsMalformedAndSmugglingHeadsWithTheirStatus(string text, int status)
    {
        Assert.Equal(status, RejectionStatus(text));
    }

    [Fact]
    public void RequestLineOverTheLimitIs414EvenBeforeTheHeadEnds()
    {
        var text = "GET /" + new string('a', 300);
        var input = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text));
        var error = Assert.Throws<BadHttpRequestException>(() => HttpParser.TryFindHead(input, Limits, out _));
        Assert.Equal(414, error.StatusCode);
        Assert.Equal(RequestRejectionReason.RequestLineTooLong, error.Reason);
    }

    [Fact]
    public void CompleteHeadWithLongRequestLineIs414()
    {
        Assert.Equal(414, RejectionStatus("GET /" + new string('a', 300) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    [Fact]
    public void HeaderSectionOverTheLimitIs431()
    {
        Assert.Equal(431, RejectionStatus("GET / HTTP/1.1\r\nHost: x\r\nBig: " + new string('v', 600) + "\r\n\r\n"));
    }

    [Fact]
    public void IncompleteHeaderSectionOverTheLimitIs431()
    {
        var input = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nBig: " + new string('v', 1000)));
        var error = Assert.Throws<BadHttpRequestException>(() => HttpParser.TryFindHead(input, Limits, out _));
        Assert.Equal(431, error.StatusCode);
    }

    [Fact]
    public void BareLineFeedHeadIsRejectedWithoutWaitingForMore()
    {
        var input = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("GET / HTTP/1.1\nHost: x\n\n"));
        var error = Assert.Throws<BadHttpRequestException>(() => HttpParser.TryFindHead(input, Limits, out _));
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void IncompleteHeadAsksForMore()
    {
        var input = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));
        Assert.False(HttpParser.TryFindHead(input, Limits, out _));
    }

    [Fact]
    public void EverySplitPointParsesIdentically()
    {
        var text = "PUT /frontend/v1/threads/t%3A1/messages/m-1?x=1 HTTP/1.1\r\nHost: example\r\nAuthorization: Bearer k\r\nContent-Length: 3\r\nX-User-ID: bob\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        var expected = Describe(Parse(new ReadOnlySequence<byte>(bytes)));
        for (var i = 1; i < bytes.Length; i++)
        {
            for (var j = i; j < bytes.Length; j += 7)
            {
                Assert.Equal(expected, Describe(Parse(Segments.Split(bytes, i, j))));
            }
        }
    }

    [Fact]
    public void PipelinedHeadsAreFoundOneAfterAnother()
    {
        var one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
        var two = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        var input = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(one + two));
        Assert.True(HttpParser.TryFindHead(input, Limits, out var first));
        Assert.Equal(one.Length, first);
        var request = new HttpRequest();
        HttpParser.ParseHead(input, first, request, Limits);
        Assert.Equal("/a", request.PathString);
        var rest = input.Slice(first);
        Assert.True(HttpParser.TryFindHead(rest, Limits, out var second));
        HttpParser.ParseHead(rest, second, request, Limits);
        Assert.Equal("/b", request.PathString);
    }

    private static string Describe(HttpRequest r)
    {
        var sb = new StringBuilder();
        sb.Append(r.Method).Append(' ').Append(r.PathString).Append('?').Append(Encoding.ASCII.GetString(r.Query)).Append(' ').Append(r.ContentLength);
        for (var i = 0; i < r.HeaderCount; i++)
        {
            sb.Append('|').Append(Encoding.ASCII.GetString(r.HeaderName(i))).Append('=').Append(Encoding.ASCII.GetString(r.HeaderValue(i)));
        }
        return sb.ToString();
    }
}
