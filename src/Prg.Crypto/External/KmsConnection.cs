// One keep-alive HTTP/1.1 connection to the key service. Requests are written as one send (head and
// JSON body together); the response body is returned as a slice of the connection's receive buffer,
// valid until the next request on this connection, so reading a response copies nothing.
using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using Prg.Http;

namespace Prg.Crypto;

internal sealed class KmsConnection : IDisposable
{
    private const int MaxResponseBytes = 256 << 20;

    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly ArrayBufferWriter<byte> _body = new(4096);
    private readonly Utf8JsonWriter _json;
    private byte[] _send = new byte[4096];
    private byte[] _receive = new byte[16 * 1024];
    private bool _disposed;

    private KmsConnection(Socket socket, SslStream? tls)
    {
        _socket = socket;
        _tls = tls;
        _json = new Utf8JsonWriter(_body, new JsonWriterOptions { SkipValidation = true });
        LastUsedTimestamp = Stopwatch.GetTimestamp();
    }

    public long LastUsedTimestamp { get; private set; }

    /// <param name="tls">Mutual TLS over the TCP connection (https endpoints), or null.</param>
    public static async ValueTask<KmsConnection> ConnectAsync(KmsEndpoint endpoint, KmsTlsClient? tls, CancellationToken cancellationToken)
    {
        Socket socket = endpoint.IsUnixSocket
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.EndPoint, cancellationToken).ConfigureAwait(false);
            SslStream? stream = tls is null ? null : await tls.AuthenticateAsync(socket, cancellationToken).ConfigureAwait(false);
            return new KmsConnection(socket, stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// False when the connection should not be reused: the peer closed it (it reads as ready with
    /// nothing to give), it sent something unasked, or it sat idle too long.
    /// </summary>
    public bool IsReusable(TimeSpan idleLifetime)
    {
        if (_disposed || Stopwatch.GetElapsedTime(LastUsedTimestamp) > idleLifetime)
        {
            return false;
        }

        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>A JSON writer over this connection's (cleared) request body buffer.</summary>
    public Utf8JsonWriter BeginBody()
    {
        _body.ResetWrittenCount();
        _json.Reset(_body);
        return _json;
    }

    /// <summary>Sends a request and reads its whole response.</summary>
    /// <param name="head">Request line and fixed headers, ending in "Content-Length: " (the length and the blank line are added here).</param>
    public async ValueTask<KmsResponse> ExchangeAsync(ReadOnlyMemory<byte> head, bool hasBody, CancellationToken cancellationToken)
    {
        if (hasBody)
        {
            _json.Flush();
        }

        int bodyLength = hasBody ? _body.WrittenCount : 0;
        int total = head.Length + 24 + bodyLength;
        if (_send.Length < total)
        {
            _send = new byte[Math.Max(total, _send.Length * 2)];
        }

        head.Span.CopyTo(_send);
        int n = head.Length;
        Utf8Formatter.TryFormat(bodyLength, _send.AsSpan(n), out int digits);
        n += digits;
        "\r\n\r\n"u8.CopyTo(_send.AsSpan(n));
        n += 4;
        if (bodyLength > 0)
        {
            _body.WrittenSpan.CopyTo(_send.AsSpan(n));
            n += bodyLength;
        }

        if (_tls is not null)
        {
            await _tls.WriteAsync(_send.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            int sent = 0;
            while (sent < n)
            {
                sent += await _socket.SendAsync(_send.AsMemory(sent, n - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }

        KmsResponse response = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        LastUsedTimestamp = Stopwatch.GetTimestamp();
        return response;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _json.Dispose();
        _tls?.Dispose();
        _socket.Dispose();
    }

    private async ValueTask<KmsResponse> ReceiveAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        HttpResponseHead head;
        while (true)
        {
            switch (HttpResponseParser.TryParseHead(_receive.AsSpan(0, length), out head, out string? error))
            {
                case HttpResponseParser.Result.Invalid:
                    throw new KmsProtocolViolationException(error!);
                case HttpResponseParser.Result.Incomplete:
                    if (length == _receive.Length)
                    {
                        Array.Resize(ref _receive, _receive.Length * 2);
                    }

                    length += await ReadSomeAsync(length, cancellationToken).ConfigureAwait(false);
                    continue;
            }

            break;
        }

        if (head.ContentLength > MaxResponseBytes)
        {
            throw new KmsProtocolViolationException($"response body of {head.ContentLength} bytes is too large");
        }

        int end = head.HeadLength + (int)head.ContentLength;
        if (_receive.Length < end)
        {
            Array.Resize(ref _receive, end);
        }

        while (length < end)
        {
            length += await ReadSomeAsync(length, cancellationToken).ConfigureAwait(false);
        }

        if (length > end)
        {
            // Nothing was pipelined, so anything after the body is a broken peer.
            throw new KmsProtocolViolationException("unexpected bytes after the response body");
        }

        return new KmsResponse(head.Status, _receive.AsMemory(head.HeadLength, (int)head.ContentLength), !head.Close);
    }

    private async ValueTask<int> ReadSomeAsync(int offset, CancellationToken cancellationToken)
    {
        int read = _tls is not null
            ? await _tls.ReadAsync(_receive.AsMemory(offset), cancellationToken).ConfigureAwait(false)
            : await _socket.ReceiveAsync(_receive.AsMemory(offset), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException("the key service closed the connection");
        }

        return read;
    }
}
