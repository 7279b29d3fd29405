// One client connection: reads requests from a PipeReader, runs them through the application one at
// a time (so pipelined requests are answered in order) and writes responses into a PipeWriter,
// flushing only when no further request is already buffered.
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Prg.Http;

internal sealed class HttpConnection
{
    private readonly HttpServer _server;
    private readonly Socket _socket;
    private readonly HttpContext _context;
    private readonly ChunkedDecoder _chunked = new();
    private readonly CancellationTokenSource _requestTimeout;
    private readonly CancellationTokenSource _idleTimeout;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private ReadOnlySequence<byte> _buffer;
    private bool _inputCompleted;
    private bool _unflushed;

    public HttpConnection(HttpServer server, Socket socket, Stream stream, long id)
    {
        _server = server;
        _socket = socket;
        _context = new HttpContext(new ConnectionInfo(socket, id));
        // Waiting for a new request is cut short by shutdown; a request already under way is not.
        _idleTimeout = CancellationTokenSource.CreateLinkedTokenSource(server.StoppingToken);
        _requestTimeout = CancellationTokenSource.CreateLinkedTokenSource(server.AbortedToken);
        _context.Aborted = server.AbortedToken;
        _context.Connection.Stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 8192, leaveOpen: true));
    }

    public ConnectionInfo Info => _context.Connection;

    public bool IsHandlingRequest { get; private set; }

    public async Task RunAsync()
    {
        var lingerOnClose = false;
        try
        {
            var options = _server.Options;
            if (options.AcceptFilter is { } filter && !filter(_context.Connection))
            {
                return;
            }
            while (!_server.IsStopping)
            {
                if (!await ReceiveHeadAsync())
                {
                    break;
                }
                IsHandlingRequest = true;
                var request = _context.Request;
                try
                {
                    await ReceiveBodyAsync(request);
                    await InvokeApplicationAsync();
                }
                finally
                {
                    IsHandlingRequest = false;
                }
                var keepAlive = request.KeepAlive && !_context.Response.CloseConnection && !_server.IsStopping;
                ResponseSerializer.Write(_output, _context.Response, keepAlive, !request.IsHttp11, request.Method == HttpMethod.Head);
                _unflushed = true;
                if (!keepAlive)
                {
                    break;
                }
                if (_buffer.IsEmpty)
                {
                    await FlushAsync();
                }
            }
        }
        catch (BadHttpRequestException bad)
        {
            _context.Response.Reset();
            _context.Response.WriteError(bad.StatusCode, bad.Message);
            ResponseSerializer.Write(_output, _context.Response, keepAlive: false, isHttp10: false, headOnly: false);
            _unflushed = true;
            lingerOnClose = true;
        }
        catch (OperationCanceledException)
        {
            // Idle/request timeout or shutdown: close without a response.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away.
        }
        finally
        {
            await CloseAsync(lingerOnClose);
        }
    }

    /// <summary>Waits for a complete request head and parses it. False when the client closed cleanly.</summary>
    private async ValueTask<bool> ReceiveHeadAsync()
    {
        var limits = _server.Options.Limits;
        var deadline = 0L;
        while (true)
        {
            if (!_buffer.IsEmpty)
            {
                if (HttpParser.TryFindHead(_buffer, limits, out var headLength))
                {
                    HttpParser.ParseHead(_buffer, headLength, _context.Request, limits);
                    _buffer = _buffer.Slice(headLength);
                    return true;
                }
                // The request has started: from here on the whole request must arrive within the timeout.
                if (deadline == 0)
                {
                    deadline = Environment.TickCount64 + (long)_server.Options.RequestTimeout.TotalMilliseconds;
                }
            }
            else if (_inputCompleted)
            {
                return false;
            }
            var wait = deadline == 0
                ? (long)_server.Options.IdleTimeout.TotalMilliseconds
                : deadline - Environment.TickCount64;
            if (!await ReadMoreAsync(wait, idle: deadline == 0))
            {
                if (_buffer.IsEmpty)
                {
                    return false;
                }
                throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
            }
            if (deadline == 0 && !_buffer.IsEmpty)
            {
                deadline = Environment.TickCount64 + (long)_server.Options.RequestTimeout.TotalMilliseconds;
            }
        }
    }

    private async ValueTask ReceiveBodyAsync(HttpRequest request)
    {
        var deadline = Environment.TickCount64 + (long)_server.Options.RequestTimeout.TotalMilliseconds;
        var body = request.BodyBuffer;
        if (request.ContentLength > 0)
        {
            var length = request.ContentLength;
            if (_buffer.Length < length && request.ExpectsContinue)
            {
                await SendContinueAsync();
            }
            while (_buffer.Length < length)
            {
                if (!await ReadMoreAsync(deadline - Environment.TickCount64, idle: false))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.UnexpectedEndOfRequestContent);
                }
            }
            var content = _buffer.Slice(0, length);
            content.CopyTo(body.GetSpan((int)length));
            body.Advance((int)length);
            _buffer = _buffer.Slice(length);
            return;
        }
        if (!request.IsChunked)
        {
            return;
        }
        if (request.ExpectsContinue && _buffer.IsEmpty)
        {
            await SendContinueAsync();
        }
        _chunked.Reset();
        while (true)
        {
            var reader = new SequenceReader<byte>(_buffer);
            var done = _chunked.Decode(ref reader, body, _server.Options.Limits);
            _buffer = _buffer.Slice(reader.Position);
            if (done)
            {
                return;
            }
            if (!await ReadMoreAsync(deadline - Environment.TickCount64, idle: false))
            {
                throw new BadHttpRequestException(RequestRejectionReason.UnexpectedEndOfRequestContent);
            }
        }
    }

    private async ValueTask InvokeApplicationAsync()
    {
        _context.Reset();
        try
        {
            var pending = _server.Application.HandleAsync(_context);
            if (!pending.IsCompleted && _unflushed)
            {
                // Earlier pipelined responses should not wait behind a slow handler.
                await FlushAsync();
            }
            await pending;
        }
        catch (Exception e) when (e is not OperationCanceledException || !_server.IsStopping)
        {
            _server.Options.OnUnhandledException?.Invoke(e);
            _context.Response.Reset();
            _context.Response.WriteError(500, "internal error");
        }
    }

    /// <summary>
    /// Gives back what has been consumed, flushes pending responses and reads more input.
    /// False when the client has closed its side and nothing new arrived.
    /// </summary>
    private async ValueTask<bool> ReadMoreAsync(long timeoutMs, bool idle)
    {
        if (_inputCompleted)
        {
            return false;
        }
        if (timeoutMs <= 0)
        {
            throw new OperationCanceledException("request timeout");
        }
        var previous = _buffer.Length;
        _input.AdvanceTo(_buffer.Start, _buffer.End);
        _buffer = default;
        if (_unflushed)
        {
            await FlushAsync();
        }
        var timeout = idle ? _idleTimeout : _requestTimeout;
        timeout.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs));
        var result = await _input.ReadAsync(timeout.Token);
        timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        _buffer = result.Buffer;
        _inputCompleted = result.IsCompleted;
        return _buffer.Length > previous || !result.IsCompleted;
    }

    private async ValueTask SendContinueAsync()
    {
        ResponseSerializer.WriteContinue(_output);
        _unflushed = true;
        await FlushAsync();
    }

    private async ValueTask FlushAsync()
    {
        _unflushed = false;
        await _output.FlushAsync(_server.AbortedToken);
    }

    private async Task CloseAsync(bool linger)
    {
        try
        {
            if (_unflushed)
            {
                _unflushed = false;
                await _output.FlushAsync(CancellationToken.None);
            }
            if (linger)
            {
                // Read (and drop) what the client is still sending for a short while, so that closing
                // with unread data does not reset the connection before it reads our error response.
                _socket.Shutdown(SocketShutdown.Send);
                using var lingerTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                var scratch = ArrayPool<byte>.Shared.Rent(4096);
                try
                {
                    var total = 0;
                    while (total < 1 << 20)
                    {
                        var read = await _socket.ReceiveAsync(scratch, SocketFlags.None, lingerTimeout.Token);
                        if (read == 0)
                        {
                            break;
                        }
                        total += read;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing anyway.
        }
        finally
        {
            try
            {
                _input.Complete();
                _output.Complete();
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
            _socket.Dispose();
            _idleTimeout.Dispose();
            _requestTimeout.Dispose();
            _context.Dispose();
        }
    }
}
