// A minimal stand-in for the ProgressDB API (TCP or Unix socket) for the load generator's tests:
// answers thread creates with a key, message posts with 201 and page reads with 200, in order on
// each keep-alive connection (pipelining included), and counts what it received.
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prg.Bench.Tests;

internal sealed class FakeApiServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];
    private int _threads;
    private long _posts;
    private long _gets;
    private long _creates;

    private FakeApiServer(Socket listener, Func<string, string, (int Status, string Body)?>? overrideResponse)
    {
        _listener = listener;
        Override = overrideResponse;
        _accepting = AcceptAsync();
    }

    public Func<string, string, (int Status, string Body)?>? Override { get; }

    public EndPoint EndPoint => _listener.LocalEndPoint!;

    public long Posts => Interlocked.Read(ref _posts);

    public long Gets => Interlocked.Read(ref _gets);

    public long Creates => Interlocked.Read(ref _creates);

    public string? LastAuthorization { get; private set; }

    /// <param name="overrideResponse">(method, path) → a response to send instead, or null for the normal one.</param>
    public static FakeApiServer StartTcp(Func<string, string, (int Status, string Body)?>? overrideResponse = null)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        return new FakeApiServer(listener, overrideResponse);
    }

    public static FakeApiServer StartUnix(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(512);
        return new FakeApiServer(listener, null);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections.Select(async c =>
        {
            try
            {
                await c;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }
        }));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            byte[] buffer = new byte[256 * 1024];
            int start = 0, end = 0;
            var output = new StringBuilder();
            while (!_stop.IsCancellationRequested)
            {
                int received = await client.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token);
                if (received == 0)
                {
                    return;
                }

                end += received;
                output.Clear();
                while (true)
                {
                    string pending = Encoding.ASCII.GetString(buffer, start, end - start);
                    int headEnd = pending.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (headEnd < 0)
                    {
                        break;
                    }

                    string[] lines = pending[..headEnd].Split("\r\n");
                    int length = lines.Skip(1).Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        .Select(l => int.Parse(l["Content-Length:".Length..].Trim())).FirstOrDefault();
                    if (end - start < headEnd + 4 + length)
                    {
                        break;
                    }

                    LastAuthorization = lines.FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.Ordinal));
                    start += headEnd + 4 + length;
                    string[] requestLine = lines[0].Split(' ');
                    (int status, string body) = Override?.Invoke(requestLine[0], requestLine[1]) ?? Answer(requestLine[0], requestLine[1]);
                    output.Append("HTTP/1.1 ").Append(status).Append(" X\r\nContent-Type: application/json\r\nContent-Length: ")
                        .Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n\r\n").Append(body);
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                if (output.Length > 0)
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(output.ToString());
                    await client.SendAsync(bytes, SocketFlags.None, _stop.Token);
                }
            }
        }
    }

    private (int Status, string Body) Answer(string method, string path)
    {
        if (method == "POST" && path == "/frontend/v1/threads")
        {
            Interlocked.Increment(ref _creates);
            return (201, $"{{\"key\":\"thread-{Interlocked.Increment(ref _threads)}\",\"thread\":{{\"title\":\"prg bench\"}}}}");
        }

        if (method == "POST" && path.EndsWith("/messages", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _posts);
            return (201, "{\"key\":\"m\",\"message\":{}}");
        }

        if (method == "GET" && path.Contains("/messages?limit=50", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _gets);
            return (200, "{\"messages\":[" + string.Join(',', Enumerable.Repeat("{\"body\":\"" + new string('y', 200) + "\"}", 50)) + "]}");
        }

        return (404, "{\"error\":\"not found\"}");
    }
}
