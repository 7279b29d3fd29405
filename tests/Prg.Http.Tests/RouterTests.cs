// Routing by method and segments: captures, percent-decoding, 404 versus 405 with Allow.
using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Prg.Http.Tests;

public sealed class RouterTests
{
    private static readonly RequestHandler Ok = _ => ValueTask.CompletedTask;

    private static Router Build()
    {
        var router = new Router();
        router.Map(HttpMethod.Get, "/healthz", Ok, "health");
        router.Map(HttpMethod.Get, "/v1/threads", Ok, "list");
        router.Map(HttpMethod.Post, "/v1/threads", Ok, "create");
        router.Map(HttpMethod.Get, "/v1/threads/{t}", Ok, "get");
        router.Map(HttpMethod.Get, "/v1/threads/{t}/messages/{m}", Ok, "message");
        router.Map(HttpMethod.Get, "/v1/threads/special", Ok, "special");
        return router;
    }

    private static (RouteMatch Match, HttpContext Context) Match(string method, string target)
    {
        var context = new HttpContext(new ConnectionInfo(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), 1));
        var bytes = Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        HttpParser.ParseHead(new ReadOnlySequence<byte>(bytes), bytes.Length, context.Request, new HttpLimits());
        return (Build().Match(context), context);
    }

    [Fact]
    public void CapturesAndDecodesParameters()
    {
        var (match, context) = Match("GET", "/v1/threads/t%3A1/messages/m%20x");
        Assert.Equal(RouteMatchKind.Found, match.Kind);
        Assert.Equal("message", match.Tag);
        Assert.Equal("t:1", context.RouteValues["t"]);
        Assert.Equal("m x", context.RouteValues["m"]);
    }

    [Fact]
    public void PrefersStaticSegmentsOverParameters()
    {
        Assert.Equal("special", Match("GET", "/v1/threads/special").Match.Tag);
        Assert.Equal("get", Match("GET", "/v1/threads/other").Match.Tag);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/v1/threads/")]
    [InlineData("/v1//threads")]
    [InlineData("/v1/threads/a/b")]
    [InlineData("/healthz/x")]
    public void UnknownPathsAreNotFound(string path)
    {
        Assert.Equal(RouteMatchKind.NotFound, Match("GET", path).Match.Kind);
    }

    [Fact]
    public void KnownPathWithWrongMethodListsAllowedMethods()
    {
        var match = Match("DELETE", "/v1/threads").Match;
        Assert.Equal(RouteMatchKind.MethodNotAllowed, match.Kind);
        Assert.Equal("GET, HEAD, POST", match.Allow);
    }

    [Fact]
    public void HeadIsServedByTheGetHandler()
    {
        Assert.Equal("health", Match("HEAD", "/healthz").Match.Tag);
    }

    [Fact]
    public void InvalidPercentEscapesAreRejected()
    {
        Assert.Equal(RouteMatchKind.InvalidPath, Match("GET", "/v1/threads/%zz").Match.Kind);
        Assert.Equal(RouteMatchKind.InvalidPath, Match("GET", "/v1/threads/%ff").Match.Kind); // not UTF-8
    }

    [Fact]
    public void MappingTheSameRouteTwiceFails()
    {
        var router = new Router();
        router.Map(HttpMethod.Get, "/a", Ok);
        Assert.Throws<ArgumentException>(() => router.Map(HttpMethod.Get, "/a", Ok));
    }
}
