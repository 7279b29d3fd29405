// HttpContext.Aborted is the connection's own token: a client that leaves while its request is being
// handled cancels the work done for it, and no other connection's.
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prg.Http.Tests;

public sealed class RequestAbortedTests
{
    // Every request waits on its token until cancelled (or a minute passes) and records which ended.
    private sealed class WaitingApp : IHttpApplication
    {
        private int _started;
        private int _cancelled;

        public int Started => Volatile.Read(ref _started);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async ValueTask HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref _started);
            try
            {
                await Task.Delay(context.Request.PathString == "/quick" ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromMinutes(1), context.Aborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }
            context.Response.WriteRaw(200, "{}"u8, ContentTypes.Json);
        }

        public bool AcceptRequestHead(HttpContext context) => true;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(20);
        }
    }

    private static async Task<Socket> SendAsync(HttpServer server, string path)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.BoundEndPoints[0]);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n"));
        return socket;
    }

    [Fact]
    public async Task AClientThatLeavesCancelsItsOwnRequestAndNoOther()
    {
        var app = new WaitingApp();
        var options = new HttpServerOptions();
        options.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        await using var server = new HttpServer(options, app);
        server.Start();

        using var leaving = await SendAsync(server, "/slow");
        using var staying = await SendAsync(server, "/quick");
        await WaitUntilAsync(() => app.Started == 2, "both requests are being handled");
        leaving.Close();

        await WaitUntilAsync(() => app.Cancelled == 1, "the request of the client that left is cancelled");
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var read = await staying.ReceiveAsync(buffer, timeout.Token);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read));
        Assert.Equal(1, app.Cancelled);
    }
}
