// Streamed responses (HttpContext.StartStreamingAsync): chunked on HTTP/1.1 and close-delimited on 1.0,
// each flush reaching the client while the handler runs, and the write deadline closing a client
// that stops reading.
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prg.Http.Tests;

public sealed class ResponseStreamTests
{
    private sealed class StreamingApp(int pieces, int pieceBytes) : IHttpApplication
    {
        private readonly TaskCompletionSource<Exception?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly SemaphoreSlim Next = new(0);

        public Task<Exception?> Ended => _ended.Task;

        public async ValueTask HandleAsync(HttpContext context)
        {
            context.Response.ContentType = "text/event-stream"u8.ToArray();
            var stream = await context.StartStreamingAsync();
            try
            {
                await stream.FlushAsync();
                for (var i = 0; i < pieces; i++)
                {
                    if (pieceBytes == 0)
                    {
                        await Next.WaitAsync(TimeSpan.FromSeconds(20));
                    }
                    stream.Write(pieceBytes == 0 ? Encoding.ASCII.GetBytes($"piece {i}\n") : new byte[pieceBytes]);
                    await stream.FlushAsync();
                }
                _ended.TrySetResult(null);
            }
            catch (Exception e)
            {
                _ended.TrySetResult(e);
            }
        }
    }

    private static async Task<(HttpServer Server, Socket Client)> StartAsync(IHttpApplication app, HttpServerOptions options, int receiveBuffer = 0)
    {
        options.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new HttpServer(options, app);
        server.Start();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }
        await socket.ConnectAsync(server.BoundEndPoints[0]);
        return (server, socket);
    }

    private static async Task<string> ReadUntilAsync(Socket socket, StringBuilder seen, string marker)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!seen.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }
            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return seen.ToString();
    }

    [Fact]
    public async Task EachFlushReachesTheClientWhileTheHandlerRunsAsOneChunk()
    {
        var app = new StreamingApp(pieces: 2, pieceBytes: 0);
        var (server, client) = await StartAsync(app, new HttpServerOptions());
        await using var _ = server;
        using var __ = client;
        await client.SendAsync("GET /feed HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());
        var seen = new StringBuilder();

        var head = await ReadUntilAsync(client, seen, "\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Contains("Transfer-Encoding: chunked\r\n", head);
        Assert.Contains("Connection: close\r\n", head);
        Assert.DoesNotContain("Content-Length", head);
        app.Next.Release();
        Assert.Contains("8\r\npiece 0\n\r\n", await ReadUntilAsync(client, seen, "piece 0\n\r\n"));
        app.Next.Release();
        var all = await ReadUntilAsync(client, seen, "0\r\n\r\n\u0000never");
        Assert.EndsWith("8\r\npiece 1\n\r\n0\r\n\r\n", all);
        Assert.Null(await app.Ended);
    }

    [Fact]
    public async Task AnHttp10ClientGetsABodyDelimitedByTheClose()
    {
        var app = new StreamingApp(pieces: 1, pieceBytes: 0);
        var (server, client) = await StartAsync(app, new HttpServerOptions());
        await using var _ = server;
        using var __ = client;
        await client.SendAsync("GET /feed HTTP/1.0\r\n\r\n"u8.ToArray());
        app.Next.Release();

        var all = await ReadUntilAsync(client, new StringBuilder(), "\u0000never");
        Assert.DoesNotContain("Transfer-Encoding", all);
        Assert.EndsWith("\r\n\r\npiece 0\n", all);
    }

    [Fact]
    public async Task AStreamTheClientStopsReadingFailsAtTheWriteDeadline()
    {
        var app = new StreamingApp(pieces: 10_000, pieceBytes: 64 * 1024);
        var (server, client) = await StartAsync(app,
            new HttpServerOptions { WriteTimeout = TimeSpan.FromMilliseconds(300), MinResponseDataRate = 0 }, receiveBuffer: 4096);
        await using var _ = server;
        using var __ = client;
        await client.SendAsync("GET /feed HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());

        var ended = await app.Ended.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(ended is OperationCanceledException, $"expected the write deadline, got {ended}");
        Assert.True(server.Counters.WriteTimeouts > 0);
    }
}
