// One client connection: reads requests from a PipeReader, runs them through the application one at
// a time (so pipelined requests are answered in order) and writes responses into a PipeWriter.
// Backpressure: once OutputChunk bytes are pending they are flushed, and the flush awaited, before
// the next request is read or processed, so a client that does not read stops being served instead
// of making the server buffer for it. Every flush that does not complete at once has a deadline
// (WriteTimeout plus its size at MinResponseDataRate); missing it closes the connection.
// Reading follows Kestrel: the first request is due within RequestTimeout of accept; between
// requests IdleTimeout runs until the next request's first byte, then RequestTimeout. A request not
// in by its deadline is answered 408 and the connection closed.
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Prg.Http;

internal sealed class HttpConnection
{
    // Pending output at or above this is flushed before anything else happens; a larger body is
    // handed to the socket in pieces of this size, each under its own write deadline.
    internal const int OutputChunk = 64 * 1024;

    private readonly HttpServer _server;
    private readonly Socket _socket;
    private readonly HttpContext _context;
    private readonly ChunkedDecoder _chunked = new();
    private readonly CancellationTokenSource _requestTimeout;
    private readonly CancellationTokenSource _awaitTimeout;
    private readonly CancellationTokenSource _writeTimeout;
    private readonly CancellationTokenSource _aborted;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly long _acceptedAt = Environment.TickCount64;
    private ReadOnlySequence<byte> _buffer;
    private bool _inputCompleted;
    private bool _firstRequest = true;
    private bool _writeFailed;
    private ResponseStream? _stream;
    private Task? _earlyFlush;

    public HttpConnection(HttpServer server, ConnectionInfo info, Stream stream)
    {
        _server = server;
        _socket = info.Socket;
        _context = new HttpContext(info);
        // Waiting for a new request is cut short by shutdown; a request already under way is not.
        _awaitTimeout = CancellationTokenSource.CreateLinkedTokenSource(server.StoppingToken);
        _requestTimeout = CancellationTokenSource.CreateLinkedTokenSource(server.AbortedToken);
        _writeTimeout = CancellationTokenSource.CreateLinkedTokenSource(server.AbortedToken);
        // This connection's own token: its client leaving (PeerWatch) or a hard stop cancels it.
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(server.AbortedToken);
        _context.Aborted = _aborted.Token;
        _context.Stopping = server.StoppingToken;
        _context.Owner = this;
        _context.Connection.Stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 8192, leaveOpen: true));
    }

    public async Task RunAsync()
    {
        var lingerOnClose = false;
        try
        {
            if (_server.Options.AcceptFilter is { } filter && !filter(_context.Connection))
            {
                return;
            }
            while (!_server.IsStopping)
            {
                if (!await ReceiveHeadAsync())
                {
                    break;
                }
                var request = _context.Request;
                _context.Reset();
                if (WaitsForContinue(request) && !AcceptHead())
                {
                    // The refusal goes out instead of 100 Continue; a body sent anyway is never read.
                    await WriteResponseAsync(keepAlive: false);
                    lingerOnClose = true;
                    break;
                }
                await ReceiveBodyAsync(request);
                await InvokeApplicationAsync();
                var keepAlive = request.KeepAlive && !_context.Response.CloseConnection && !_server.IsStopping && _stream is null;
                await WriteResponseAsync(keepAlive);
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
            if (bad.Reason == RequestRejectionReason.RequestTimeout)
            {
                _server.Counters.CountRequestTimeout();
            }
            _context.Response.Reset();
            _context.Response.WriteError(bad.StatusCode, bad.Message);
            ResponseSerializer.Write(_output, _context.Response, keepAlive: false, isHttp10: false, headOnly: false);
            lingerOnClose = true;
        }
        catch (OperationCanceledException)
        {
            // Write timeout or shutdown: close without a response.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away.
            _writeFailed = true;
        }
        finally
        {
            await CloseAsync(lingerOnClose);
        }
    }

    /// <summary>Waits for a complete request head and parses it. False when the client closed cleanly or went idle.</summary>
    private async ValueTask<bool> ReceiveHeadAsync()
    {
        var options = _server.Options;
        var limits = options.Limits;
        var requestTimeout = (long)options.RequestTimeout.TotalMilliseconds;
        // 0 while waiting idle for the next request; the first request is due from accept.
        var deadline = _firstRequest ? _acceptedAt + requestTimeout : 0L;
        while (true)
        {
            if (!_buffer.IsEmpty)
            {
                if (HttpParser.TryFindHead(_buffer, limits, out var headLength))
                {
                    HttpParser.ParseHead(_buffer, headLength, _context.Request, limits);
                    _buffer = _buffer.Slice(headLength);
                    _firstRequest = false;
                    return true;
                }
                if (deadline == 0)
                {
                    deadline = Environment.TickCount64 + requestTimeout;
                }
            }
            else if (_inputCompleted)
            {
                return false;
            }
            var waitUntil = deadline == 0 ? Environment.TickCount64 + (long)options.IdleTimeout.TotalMilliseconds : deadline;
            if (!await ReadMoreAsync(waitUntil, awaitingRequest: _buffer.IsEmpty))
            {
                if (_buffer.IsEmpty)
                {
                    return false;
                }
                throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
            }
        }
    }

    private static bool WaitsForContinue(HttpRequest request) =>
        request.ExpectsContinue && (request.ContentLength > 0 || request.IsChunked);

    /// <summary>Lets the application refuse a request from its head, before the client sends the body.</summary>
    private bool AcceptHead()
    {
        try
        {
            if (_server.Application.AcceptRequestHead(_context))
            {
                _context.Reset();
                return true;
            }
            return false;
        }
        catch (Exception e)
        {
            _server.Options.OnUnhandledException?.Invoke(e);
            _context.Response.Reset();
            _context.Response.WriteError(500, "internal error");
            return false;
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
                if (!await ReadMoreAsync(deadline, awaitingRequest: false))
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
            if (!await ReadMoreAsync(deadline, awaitingRequest: false))
            {
                throw new BadHttpRequestException(RequestRejectionReason.UnexpectedEndOfRequestContent);
            }
        }
    }

    private async ValueTask InvokeApplicationAsync()
    {
        try
        {
            var pending = _server.Application.HandleAsync(_context);
            if (pending.IsCompleted)
            {
                await pending;
                return;
            }
            using var watched = _server.PeerWatch.Watch(_socket, _aborted);
            if (_stream is null && _output.UnflushedBytes > 0)
            {
                // Earlier pipelined responses should not wait behind a slow handler. A handler that starts
                // streaming meanwhile waits for this flush (one flush at a time on the pipe).
                _earlyFlush = FlushAsync().AsTask();
                await _earlyFlush;
                _earlyFlush = null;
            }
            await pending;
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            // The client left (or the server is stopping hard): nobody to answer; RunAsync closes.
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !_server.IsStopping)
        {
            _server.Options.OnUnhandledException?.Invoke(e);
            _context.Response.Reset();
            _context.Response.WriteError(500, "internal error");
        }
    }

    /// <summary>
    /// Serialises the response. A small one stays in the pipe (pipelined answers share a flush) until
    /// OutputChunk bytes are pending; a large body goes out piece by piece, each piece flushed.
    /// </summary>
    private async ValueTask WriteResponseAsync(bool keepAlive)
    {
        if (_stream is not null)
        {
            // The head and body went out while the handler ran; only the end is left.
            if (!_writeFailed)
            {
                _stream.Complete();
            }
            return;
        }
        var request = _context.Request;
        var response = _context.Response;
        var headOnly = request.Method == HttpMethod.Head;
        var body = headOnly ? ReadOnlyMemory<byte>.Empty : response.Body.WrittenMemory;
        if (body.Length <= OutputChunk)
        {
            ResponseSerializer.Write(_output, response, keepAlive, !request.IsHttp11, headOnly);
        }
        else
        {
            ResponseSerializer.WriteHead(_output, response, keepAlive, !request.IsHttp11);
            while (!body.IsEmpty)
            {
                var piece = body[..Math.Min(body.Length, OutputChunk)];
                piece.Span.CopyTo(_output.GetSpan(piece.Length));
                _output.Advance(piece.Length);
                body = body[piece.Length..];
                await FlushAsync();
            }
        }
        if (_output.UnflushedBytes >= OutputChunk)
        {
            await FlushAsync();
        }
    }

    /// <summary>
    /// Gives back what has been consumed, flushes pending responses and reads more input until
    /// <paramref name="deadline"/> (Environment.TickCount64). False when the client has closed its side
    /// and nothing new arrived, or when a keep-alive wait ran out; a request that runs out gets 408.
    /// </summary>
    /// <param name="awaitingRequest">No byte of a request is in yet: shutdown cuts the wait short.</param>
    private async ValueTask<bool> ReadMoreAsync(long deadline, bool awaitingRequest)
    {
        // Only a keep-alive connection may time out quietly; a request (or the first one) is answered.
        var idle = awaitingRequest && !_firstRequest;
        if (_inputCompleted)
        {
            return false;
        }
        var previous = _buffer.Length;
        _input.AdvanceTo(_buffer.Start, _buffer.End);
        _buffer = default;
        await FlushAsync();
        var remaining = deadline - Environment.TickCount64;
        if (remaining <= 0)
        {
            return TimedOut(idle);
        }
        var timeout = awaitingRequest ? _awaitTimeout : _requestTimeout;
        timeout.CancelAfter(TimeSpan.FromMilliseconds(remaining));
        ReadResult result;
        try
        {
            result = await _input.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (awaitingRequest ? !_server.IsStopping : !_server.AbortedToken.IsCancellationRequested)
        {
            return TimedOut(idle);
        }
        finally
        {
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        _buffer = result.Buffer;
        _inputCompleted = result.IsCompleted;
        return _buffer.Length > previous || !result.IsCompleted;
    }

    /// <summary>Sends the head of a streamed response (HttpContext.StartStreamingAsync); once per connection.</summary>
    internal async ValueTask<ResponseStream> StartStreamAsync()
    {
        if (_stream is not null)
        {
            throw new InvalidOperationException("The response is already streaming.");
        }
        if (_earlyFlush is { } earlier)
        {
            await earlier;
        }
        var chunked = _context.Request.IsHttp11;
        ResponseSerializer.WriteStreamHead(_output, _context.Response, chunked);
        _stream = new ResponseStream(this, _output, chunked);
        return _stream;
    }

    internal async ValueTask FlushStreamAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _writeFailed = true;
            throw;
        }
    }

    internal void AbortStream()
    {
        _writeFailed = true;
        _socket.Dispose();
    }

    private static bool TimedOut(bool idle) =>
        idle ? false : throw new BadHttpRequestException(RequestRejectionReason.RequestTimeout);

    private async ValueTask SendContinueAsync()
    {
        ResponseSerializer.WriteContinue(_output);
        await FlushAsync();
    }

    /// <summary>Flushes pending output; one that does not complete at once must complete by its write deadline.</summary>
    private async ValueTask FlushAsync()
    {
        var pending = _output.UnflushedBytes;
        if (pending == 0)
        {
            return;
        }
        var flush = _output.FlushAsync(_writeTimeout.Token);
        if (flush.IsCompleted)
        {
            flush.GetAwaiter().GetResult();
            return;
        }
        var options = _server.Options;
        var allowed = options.MinResponseDataRate > 0
            ? options.WriteTimeout + TimeSpan.FromSeconds((double)pending / options.MinResponseDataRate)
            : options.WriteTimeout;
        _writeTimeout.CancelAfter(allowed);
        try
        {
            await flush;
        }
        catch (OperationCanceledException) when (!_server.AbortedToken.IsCancellationRequested)
        {
            _writeFailed = true;
            _server.Counters.CountWriteTimeout();
            throw;
        }
        finally
        {
            _writeTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private async Task CloseAsync(bool linger)
    {
        try
        {
            if (!_writeFailed)
            {
                await FlushAsync();
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
            // The socket goes first: completing the writer writes whatever is still buffered
            // synchronously, which must not block on a client that does not read.
            _socket.Dispose();
            try
            {
                _input.Complete();
                _output.Complete();
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
            _awaitTimeout.Dispose();
            _requestTimeout.Dispose();
            _writeTimeout.Dispose();
            _aborted.Dispose();
            _context.Dispose();
        }
    }
}
