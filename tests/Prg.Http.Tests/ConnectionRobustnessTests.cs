// The connection against slow and unfriendly clients, in process: backpressure on pipelined requests,
// the write deadline, the header timeout from accept, the per-address cap and the 100-continue hook.
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prg.Http.Tests;

public sealed class ConnectionRobustnessTests
{
    private sealed class App(int bodyBytes, Func<HttpContext, bool>? acceptHead = null) : IHttpApplication
    {
        private int _handled;

        public int Handled => Volatile.Read(ref _handled);

        public ValueTask HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref _handled);
            context.Response.WriteRaw(200, new byte[bodyBytes], ContentTypes.Json);
            return ValueTask.CompletedTask;
        }

        public bool AcceptRequestHead(HttpContext context) => acceptHead?.Invoke(context) ?? true;
    }

    private static async Task<HttpServer> StartAsync(IHttpApplication app, HttpServerOptions options)
    {
        options.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new HttpServer(options, app);
        server.Start();
        await Task.Yield();
        return server;
    }

    private static async Task<Socket> ConnectAsync(HttpServer server, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }
        await socket.ConnectAsync(server.BoundEndPoints[0]);
        return socket;
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.AsEnumerable().Reverse().Take(4).SequenceEqual("\n\r\n\r"u8.ToArray()))
        {
            if (await socket.ReceiveAsync(one, timeout.Token) == 0)
            {
                break;
            }
            head.Add(one[0]);
        }
        return Encoding.ASCII.GetString(head.ToArray());
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

    [Fact]
    public async Task PipelinedRequestsWaitWhileTheClientDoesNotRead()
    {
        var app = new App(bodyBytes: 1 << 20);
        await using var server = await StartAsync(app, new HttpServerOptions { WriteTimeout = TimeSpan.FromMinutes(5) });
        using var client = await ConnectAsync(server, receiveBuffer: 4096);
        await client.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: t\r\n\r\n", 200))));

        // The kernel takes a few responses; after that the connection stops processing requests.
        var last = -1;
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(1))
        {
            if (app.Handled != last)
            {
                last = app.Handled;
                stableSince = DateTime.UtcNow;
            }
            await Task.Delay(50);
        }
        Assert.InRange(app.Handled, 1, 50);
    }

    [Fact]
    public async Task AClientThatDoesNotReadIsClosedAfterTheWriteDeadline()
    {
        var app = new App(bodyBytes: 8 << 20);
        await using var server = await StartAsync(app, new HttpServerOptions
        {
            WriteTimeout = TimeSpan.FromMilliseconds(300),
            MinResponseDataRate = 0,
        });
        using var client = await ConnectAsync(server, receiveBuffer: 4096);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());
        await WaitUntilAsync(() => server.Counters.WriteTimeouts == 1, "the write timeout closed the connection");
        await WaitUntilAsync(() => server.OpenConnections == 0, "the connection is gone");
    }

    [Fact]
    public async Task ASilentConnectionGets408AfterTheRequestTimeoutFromAccept()
    {
        await using var server = await StartAsync(new App(2), new HttpServerOptions
        {
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            IdleTimeout = TimeSpan.FromMinutes(5),
        });
        using var client = await ConnectAsync(server);
        var head = await ReadHeadAsync(client);
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", head);
        Assert.Contains("Connection: close\r\n", head);
        Assert.Equal(1, server.Counters.RequestTimeouts);
    }

    [Fact]
    public async Task ConnectionsBeyondThePerAddressCapAreRefusedWith503()
    {
        await using var server = await StartAsync(new App(2), new HttpServerOptions { MaxConnectionsPerAddress = 1 });
        using var first = await ConnectAsync(server);
        await first.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(first));
        using var second = await ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 503", await ReadHeadAsync(second));
        Assert.Equal(1, server.Counters.RefusedPerAddress);
    }

    [Fact]
    public async Task ARequestRefusedFromItsHeadGetsTheAnswerInsteadOf100Continue()
    {
        var app = new App(2, acceptHead: context =>
        {
            if (context.Request.TryGetHeader("authorization"u8, out _))
            {
                return true;
            }
            context.Response.WriteError(401, "unauthorized");
            return false;
        });
        await using var server = await StartAsync(app, new HttpServerOptions());
        using var refused = await ConnectAsync(server);
        await refused.SendAsync("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"u8.ToArray());
        var head = await ReadHeadAsync(refused);
        Assert.StartsWith("HTTP/1.1 401", head);
        Assert.Contains("Connection: close\r\n", head);
        Assert.Equal(0, app.Handled);

        using var accepted = await ConnectAsync(server);
        await accepted.SendAsync("POST / HTTP/1.1\r\nHost: t\r\nAuthorization: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 100 Continue", await ReadHeadAsync(accepted));
        await accepted.SendAsync("hello"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(accepted));
        Assert.Equal(1, app.Handled);
    }
}
