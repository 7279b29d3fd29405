// Parsing a typical request head (GET with 8 headers; POST with a 200-byte JSON body): time and
// allocations per request (target: 0 B allocated per parse).
using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Prg.Http;

namespace Prg.Benchmarks.Http;

[MemoryDiagnoser]
public class HttpParserBenchmarks
{
    private static readonly HttpLimits Limits = new();
    private readonly HttpRequest _request = new();
    private ReadOnlySequence<byte> _get;
    private ReadOnlySequence<byte> _post;
    private int _postHeadLength;

    [GlobalSetup]
    public void Setup()
    {
        _get = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(
            "GET /frontend/v1/threads/t_01HZX/messages?limit=50&before=000001762480000000000000-000000000042 HTTP/1.1\r\n"
            + "Host: localhost:8080\r\nUser-Agent: progressdb-js/0.2\r\nAccept: application/json\r\n"
            + "Authorization: Bearer pk_frontend_0123456789abcdef\r\nX-User-ID: alice\r\n"
            + "X-User-Signature: 6b9f0a3c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c\r\n"
            + "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"));
        var body = "{\"body\":{\"text\":\"" + new string('x', 200 - 20) + "\"}}";
        var post = "POST /frontend/v1/threads/t_01HZX/messages HTTP/1.1\r\nHost: localhost:8080\r\n"
            + "Authorization: Bearer pk_backend_0123456789abcdef\r\nX-User-ID: alice\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        _postHeadLength = post.Length;
        _post = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(post + body));
    }

    [Benchmark]
    public int ParseGetWith8Headers()
    {
        HttpParser.TryFindHead(_get, Limits, out var length);
        HttpParser.ParseHead(_get, length, _request, Limits);
        return _request.HeaderCount;
    }

    [Benchmark]
    public long ParsePostWithJsonBody()
    {
        HttpParser.TryFindHead(_post, Limits, out var length);
        HttpParser.ParseHead(_post, length, _request, Limits);
        return _request.ContentLength + length - _postHeadLength;
    }
}
