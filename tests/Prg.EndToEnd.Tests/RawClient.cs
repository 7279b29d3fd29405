// A minimal HTTP/1.1 client over a raw socket (TCP or Unix), so tests control every byte sent and
// can read several responses from one connection.
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Prg.Http;

namespace Prg.EndToEnd.Tests;

public sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Body);

public sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    public RawClient(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(IPAddress.Loopback, port);
        _stream = new NetworkStream(_socket, ownsSocket: true);
    }

    public RawClient(string unixSocketPath)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(unixSocketPath));
        _stream = new NetworkStream(_socket, ownsSocket: true);
    }

    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public async Task WriteAsync(string text) => await WriteAsync(Encoding.UTF8.GetBytes(text));

    public async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public async Task<RawResponse> SendAsync(string request)
    {
        await WriteAsync(request);
        return await ReadResponseAsync();
    }

    /// <summary>Reads one response; null when the server closed the connection first.</summary>
    public async Task<RawResponse> ReadResponseAsync() =>
        await TryReadResponseAsync() ?? throw new IOException("connection closed before a response");

    public async Task<RawResponse?> TryReadResponseAsync()
    {
        HttpResponseHead frame;
        while (true)
        {
            var result = HttpResponseParser.TryParseHead(CollectionsMarshal.AsSpan(_pending), out frame, out var error);
            if (result == HttpResponseParser.Result.Invalid)
            {
                throw new IOException("unreadable response: " + error);
            }
            if (result == HttpResponseParser.Result.Complete)
            {
                break;
            }
            if (!await FillAsync())
            {
                return null;
            }
        }
        var head = Encoding.ASCII.GetString(_pending.GetRange(0, frame.HeadLength - 4).ToArray());
        _pending.RemoveRange(0, frame.HeadLength);
        var status = frame.Status;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        if (status == 100)
        {
            return await TryReadResponseAsync();
        }
        var length = (int)frame.ContentLength;
        while (_pending.Count < length)
        {
            if (!await FillAsync())
            {
                throw new IOException("connection closed inside a body");
            }
        }
        var body = Encoding.UTF8.GetString(_pending.GetRange(0, length).ToArray());
        _pending.RemoveRange(0, length);
        return new RawResponse(status, headers, body);
    }

    /// <summary>True when the server has closed the connection (reads return end of stream).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, cts.Token);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> FillAsync()
    {
        var buffer = new byte[16384];
        using var cts = new CancellationTokenSource(ReadTimeout);
        int read;
        try
        {
            read = await _stream.ReadAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            return false;
        }
        if (read == 0)
        {
            return false;
        }
        _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
