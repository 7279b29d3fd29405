// The load generator's response framing: complete, partial and unframeable responses.
using System.Text;

namespace Prg.Http.Tests;

public class ResponseParserTests
{
    private static HttpResponseParser.Result Parse(string text, out HttpResponseHead head, out string? error) =>
        HttpResponseParser.TryParseHead(Encoding.ASCII.GetBytes(text), out head, out error);

    [Fact]
    public void A_complete_head_gives_status_length_and_keep_alive()
    {
        const string response = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\ncontent-length: 12\r\n\r\n{\"key\":\"a\"}";
        Assert.Equal(HttpResponseParser.Result.Complete, Parse(response, out HttpResponseHead head, out _));
        Assert.Equal(201, head.Status);
        Assert.Equal(12, head.ContentLength);
        Assert.False(head.Close);
        Assert.Equal(response.IndexOf("{", StringComparison.Ordinal), head.HeadLength);
    }

    [Fact]
    public void Connection_close_and_http_1_0_mark_the_connection_closing()
    {
        Assert.Equal(HttpResponseParser.Result.Complete, Parse("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", out HttpResponseHead closing, out _));
        Assert.True(closing.Close);
        Assert.Equal(HttpResponseParser.Result.Complete, Parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", out HttpResponseHead old, out _));
        Assert.True(old.Close);
        Assert.Equal(HttpResponseParser.Result.Complete, Parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", out HttpResponseHead kept, out _));
        Assert.False(kept.Close);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r")]
    public void A_partial_head_needs_more_bytes(string text)
    {
        Assert.Equal(HttpResponseParser.Result.Incomplete, Parse(text, out _, out _));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked")]
    [InlineData("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", "without Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "invalid Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length")]
    [InlineData("HTTP/2 200\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed header line")]
    public void A_response_that_cannot_be_framed_is_invalid_with_a_reason(string text, string reason)
    {
        Assert.Equal(HttpResponseParser.Result.Invalid, Parse(text, out _, out string? error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void No_content_responses_need_no_length()
    {
        Assert.Equal(HttpResponseParser.Result.Complete, Parse("HTTP/1.1 204 No Content\r\n\r\n", out HttpResponseHead head, out _));
        Assert.Equal(0, head.ContentLength);
    }

    [Fact]
    public void An_endless_head_is_invalid()
    {
        string text = "HTTP/1.1 200 OK\r\nX: " + new string('a', HttpResponseParser.MaxHeadLength);
        Assert.Equal(HttpResponseParser.Result.Invalid, Parse(text, out _, out string? error));
        Assert.Contains("longer than", error);
    }
}
