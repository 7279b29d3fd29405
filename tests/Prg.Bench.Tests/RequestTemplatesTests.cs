// The preformatted requests: exact body size, valid JSON, correct framing and headers.
using System.Text;
using System.Text.Json;

namespace Prg.Bench.Tests;

public class RequestTemplatesTests
{
    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    [InlineData(4096)]
    public void A_message_body_is_exactly_the_requested_size_and_valid_json(int size)
    {
        byte[] body = RequestTemplates.MessageBody(size);
        Assert.Equal(size, body.Length);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(size - 20, json.RootElement.GetProperty("body").GetProperty("text").GetString()!.Length);
    }

    [Fact]
    public void Requests_carry_auth_user_and_a_matching_content_length()
    {
        HttpBenchOptions options = HttpBenchOptions.Parse(OptionReader.FromDictionary("bench http", new Dictionary<string, string>
        {
            ["api-key"] = "secret",
            ["user"] = "alice",
            ["signature"] = "abcd",
            ["body-size"] = "64",
        }));
        var templates = new RequestTemplates(options, ["t:1", "t2"]);

        string post = Encoding.ASCII.GetString(templates.Get(RequestKind.Post, 0));
        Assert.StartsWith("POST /frontend/v1/threads/t%3A1/messages HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n", post);
        Assert.Contains("\r\nAuthorization: Bearer secret\r\nX-User-ID: alice\r\nX-User-Signature: abcd\r\n", post);
        Assert.Contains("\r\nContent-Length: 64\r\n\r\n", post);
        Assert.Equal(64, post.Length - post.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4);

        string get = Encoding.ASCII.GetString(templates.Get(RequestKind.Get, 1));
        Assert.StartsWith("GET /frontend/v1/threads/t2/messages?limit=50 HTTP/1.1\r\n", get);
        Assert.DoesNotContain("Content-Length", get);
        Assert.EndsWith("\r\n\r\n", get);

        string create = Encoding.ASCII.GetString(templates.Get(RequestKind.Create, 0));
        Assert.StartsWith("POST /frontend/v1/threads HTTP/1.1\r\n", create);
        Assert.True(templates.MaxRequestLength >= post.Length);
    }
}
