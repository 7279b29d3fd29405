// Pre-encoded "HTTP/1.1 <code> <reason>\r\n" lines for every status the server sends.
using System.Collections.Frozen;
using System.Text;

namespace Prg.Http;

public static class StatusLines
{
    private static readonly FrozenDictionary<int, byte[]> s_lines = new Dictionary<int, string>
    {
        [100] = "Continue",
        [200] = "OK",
        [201] = "Created",
        [202] = "Accepted",
        [204] = "No Content",
        [301] = "Moved Permanently",
        [304] = "Not Modified",
        [400] = "Bad Request",
        [401] = "Unauthorized",
        [403] = "Forbidden",
        [404] = "Not Found",
        [405] = "Method Not Allowed",
        [408] = "Request Timeout",
        [409] = "Conflict",
        [411] = "Length Required",
        [413] = "Content Too Large",
        [414] = "URI Too Long",
        [415] = "Unsupported Media Type",
        [422] = "Unprocessable Content",
        [429] = "Too Many Requests",
        [431] = "Request Header Fields Too Large",
        [500] = "Internal Server Error",
        [501] = "Not Implemented",
        [502] = "Bad Gateway",
        [503] = "Service Unavailable",
        [504] = "Gateway Timeout",
        [505] = "HTTP Version Not Supported",
    }.ToFrozenDictionary(p => p.Key, p => Encoding.ASCII.GetBytes($"HTTP/1.1 {p.Key} {p.Value}\r\n"));

    public static ReadOnlySpan<byte> For(int status) =>
        s_lines.TryGetValue(status, out var line) ? line : Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Status\r\n");
}
