// Preformatted request bytes for `prg bench http`: every request the run sends is built once up
// front, so sending is a memcpy into the connection's send buffer.
using System.Globalization;
using System.Text;

namespace Prg.Bench;

public sealed class RequestTemplates
{
    public const string ApiPrefix = "/frontend/v1";

    /// <summary>Page size of the GET requests (the design target's page).</summary>
    public const int PageLimit = 50;

    private readonly byte[][] _posts;
    private readonly byte[][] _gets;
    private readonly byte[] _create;

    public RequestTemplates(HttpBenchOptions options, IReadOnlyList<string> threadKeys)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(threadKeys);
        string headers = Headers(options);
        byte[] messageBody = MessageBody(options.BodySize);
        _posts = new byte[threadKeys.Count][];
        _gets = new byte[threadKeys.Count][];
        for (int i = 0; i < threadKeys.Count; i++)
        {
            string path = ApiPrefix + "/threads/" + Uri.EscapeDataString(threadKeys[i]) + "/messages";
            _posts[i] = Request("POST", path, headers, messageBody);
            _gets[i] = Request("GET", path + "?limit=" + PageLimit.ToString(CultureInfo.InvariantCulture), headers, null);
        }

        _create = CreateThreadRequest(options);
    }

    public int ThreadCount => _posts.Length;

    /// <summary>The longest request, for sizing send buffers.</summary>
    public int MaxRequestLength => Math.Max(_create.Length, _posts.Length == 0 ? 0 : Math.Max(_posts.Max(p => p.Length), _gets.Max(g => g.Length)));

    /// <summary>The request of <paramref name="kind"/> aimed at chat thread <paramref name="thread"/> (ignored for creates).</summary>
    public byte[] Get(RequestKind kind, int thread) => kind switch
    {
        RequestKind.Post => _posts[thread],
        RequestKind.Get => _gets[thread],
        RequestKind.Create => _create,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary><c>POST /frontend/v1/threads</c> with a fixed title.</summary>
    public static byte[] CreateThreadRequest(HttpBenchOptions options) =>
        Request("POST", ApiPrefix + "/threads", Headers(options), "{\"title\":\"prg bench\"}"u8.ToArray());

    /// <summary>A JSON message body of exactly <paramref name="size"/> bytes: <c>{"body":{"text":"xxx…"}}</c>.</summary>
    public static byte[] MessageBody(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, HttpBenchOptions.MinBodySize);
        byte[] body = new byte[size];
        ReadOnlySpan<byte> head = "{\"body\":{\"text\":\""u8;
        ReadOnlySpan<byte> tail = "\"}}"u8;
        head.CopyTo(body);
        body.AsSpan(head.Length, size - head.Length - tail.Length).Fill((byte)'x');
        tail.CopyTo(body.AsSpan(size - tail.Length));
        return body;
    }

    private static string Headers(HttpBenchOptions options)
    {
        var headers = new StringBuilder();
        headers.Append("Host: ").Append(options.Host).Append("\r\n");
        headers.Append("Authorization: Bearer ").Append(options.ApiKey).Append("\r\n");
        headers.Append("X-User-ID: ").Append(options.User).Append("\r\n");
        if (options.Signature is not null)
        {
            headers.Append("X-User-Signature: ").Append(options.Signature).Append("\r\n");
        }

        return headers.ToString();
    }

    private static byte[] Request(string method, string path, string headers, byte[]? body)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n").Append(headers);
        if (body is not null)
        {
            head.Append("Content-Type: application/json\r\nContent-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        head.Append("\r\n");
        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return body is null ? headBytes : [.. headBytes, .. body];
    }
}
