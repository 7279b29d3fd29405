// A plain async client connection for the set-up before a `prg bench http` run (creating the chat
// threads, seeding messages): pipelined requests, full responses with bodies. Not on the hot path.
using System.Net;
using System.Net.Sockets;
using Prg.Http;

namespace Prg.Bench;

internal sealed class SetupConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private SetupConnection(Socket socket)
    {
        _socket = socket;
    }

    /// <exception cref="SocketException">The target refused or could not be reached.</exception>
    public static async Task<SetupConnection> ConnectAsync(EndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, target is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return new SetupConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the requests back to back, then reads one response per request, in order.</summary>
    /// <exception cref="IOException">The connection closed early or a response could not be framed.</exception>
    public async Task<(int Status, byte[] Body)[]> SendAsync(IReadOnlyList<byte[]> requests, CancellationToken cancellationToken)
    {
        byte[] all = [.. requests.SelectMany(r => r)];
        int sent = 0;
        while (sent < all.Length)
        {
            sent += await _socket.SendAsync(all.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }

        var responses = new (int, byte[])[requests.Count];
        for (int i = 0; i < responses.Length; i++)
        {
            responses[i] = await ReadResponseAsync(cancellationToken).ConfigureAwait(false);
        }

        return responses;
    }

    public void Dispose() => _socket.Dispose();

    private async Task<(int Status, byte[] Body)> ReadResponseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (HttpResponseParser.TryParseHead(_buffer.AsSpan(_start, _end - _start), out HttpResponseHead head, out string? error))
            {
                case HttpResponseParser.Result.Invalid:
                    throw new IOException("unreadable response: " + error);
                case HttpResponseParser.Result.Complete:
                    if (head.ContentLength > 16 << 20)
                    {
                        throw new IOException($"response body of {head.ContentLength} bytes is larger than expected");
                    }

                    long total = head.HeadLength + head.ContentLength;
                    while (_end - _start < total)
                    {
                        await FillAsync((int)total, cancellationToken).ConfigureAwait(false);
                    }

                    byte[] body = _buffer.AsSpan(_start + head.HeadLength, (int)head.ContentLength).ToArray();
                    _start += (int)total;
                    return (head.Status, body);
            }

            await FillAsync(0, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length || needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, needed));
        }

        int received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (received == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += received;
    }
}
