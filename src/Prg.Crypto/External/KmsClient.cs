// Sends one key service request with a deadline and at most one retry, and turns every way it can
// fail into the Crypto layer's exceptions: transport trouble and 5xx into
// KeyServiceUnavailableException, protocol error codes into the matching specific exception.
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Prg.Crypto;

internal sealed class KmsClient : IDisposable
{
    private readonly KmsEndpoint _endpoint;
    private readonly ExternalKeyProviderOptions _options;
    private readonly KmsConnectionPool _pool;
    private readonly ConcurrentBag<CancellationTokenSource> _timers = [];
    private long _requestsSent;

    public KmsClient(KmsEndpoint endpoint, ExternalKeyProviderOptions options)
    {
        _endpoint = endpoint;
        _options = options;
        _pool = new KmsConnectionPool(endpoint, options.Tls, options.MaxConnections, options.IdleConnectionLifetime);
    }

    public delegate void BodyWriter<TState>(Utf8JsonWriter writer, TState state);

    public delegate TResult ResponseReader<TState, TResult>(ReadOnlySpan<byte> body, TState state);

    public KmsEndpoint Endpoint => _endpoint;

    public TimeSpan Timeout => _options.Timeout;

    /// <summary>HTTP requests written to the service so far (retries included).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>The fixed part of a request head up to "Content-Length: ".</summary>
    public static byte[] Head(string method, string target) =>
        Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: prgkms\r\nContent-Type: application/json\r\nContent-Length: ");

    public ValueTask<TResult> SendAsync<TState, TResult>(
        ReadOnlyMemory<byte> head,
        TState state,
        BodyWriter<TState>? writeBody,
        ResponseReader<TState, TResult> readBody,
        KmsRetry retry,
        CancellationToken cancellationToken) =>
        SendAsync(head, state, writeBody, readBody, retry, _options.Timeout, cancellationToken);

    public async ValueTask<TResult> SendAsync<TState, TResult>(
        ReadOnlyMemory<byte> head,
        TState state,
        BodyWriter<TState>? writeBody,
        ResponseReader<TState, TResult> readBody,
        KmsRetry retry,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (timeout <= TimeSpan.Zero)
        {
            throw new KeyServiceUnavailableException(
                $"key service {_endpoint} did not answer within {FormatTimeout()} (calls were queued behind slower ones)");
        }

        CancellationTokenSource deadline = RentTimer();
        deadline.CancelAfter(timeout);
        CancellationTokenRegistration link = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline)
            : default;
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                KmsConnection? connection = null;
                bool reused = false;
                bool written = false;
                try
                {
                    (connection, reused) = await _pool.RentAsync(deadline.Token).ConfigureAwait(false);
                    if (writeBody is not null)
                    {
                        writeBody(connection.BeginBody(), state);
                    }

                    written = true;
                    Interlocked.Increment(ref _requestsSent);
                    KmsResponse response = await connection.ExchangeAsync(head, writeBody is not null, deadline.Token).ConfigureAwait(false);
                    try
                    {
                        return response.Status == 200
                            ? Read(readBody, response.Body.Span, state)
                            : throw ErrorFrom(response.Status, response.Body.Span);
                    }
                    finally
                    {
                        _pool.Return(connection, response.KeepAlive);
                        connection = null;
                    }
                }
                catch (Exception e) when (IsTransportFailure(e))
                {
                    if (connection is not null)
                    {
                        _pool.Return(connection, reusable: false);
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    bool timedOut = deadline.IsCancellationRequested;

                    // A pooled connection the service had already closed fails before the request is
                    // read, so that failure is retried even for calls that must not run twice.
                    bool mayRetry = attempt == 0 && !timedOut
                        && (retry == KmsRetry.Once || !written || (reused && e is SocketException or IOException && IsClosedByPeer(e)));
                    if (!mayRetry)
                    {
                        throw Unavailable(e, timedOut);
                    }
                }
            }
        }
        finally
        {
            link.Dispose();
            ReturnTimer(deadline);
        }
    }

    /// <summary>The exception for an error response (also used for batch item errors).</summary>
    public Exception ErrorFrom(int status, ReadOnlySpan<byte> body)
    {
        (string code, string message) = KmsJson.ReadError(body, status);
        return ErrorFrom(status, code, message);
    }

    public Exception ErrorFrom(int status, string code, string message) => code switch
    {
        KmsProtocol.ErrorCodes.UnknownKey => new UnknownKeyException(message, UnknownKeyReason.KeyId),
        KmsProtocol.ErrorCodes.UnknownDekVersion => new UnknownKeyException(message, UnknownKeyReason.DekVersion),
        KmsProtocol.ErrorCodes.UnknownKek => new UnknownKeyException(message, UnknownKeyReason.Kek),
        KmsProtocol.ErrorCodes.MalformedFrame => new MalformedFrameException(message),
        KmsProtocol.ErrorCodes.FrameAuthentication => new FrameAuthenticationException(message),
        _ when status >= 500 => new KeyServiceUnavailableException($"key service {_endpoint} answered {status}: {message}"),
        _ => new KeyServiceException(status, code, $"key service {_endpoint} refused the request ({status}): {message}"),
    };

    public void Dispose()
    {
        _pool.Dispose();
        while (_timers.TryTake(out CancellationTokenSource? timer))
        {
            timer.Dispose();
        }
    }

    private TResult Read<TState, TResult>(ResponseReader<TState, TResult> readBody, ReadOnlySpan<byte> body, TState state)
    {
        try
        {
            return readBody(body, state);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyMaterialFormatException or ArgumentException)
        {
            throw new KeyServiceUnavailableException($"key service {_endpoint} sent a response this client cannot read: {e.Message}", e);
        }
    }

    private static bool IsTransportFailure(Exception e) =>
        e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException;

    private static bool IsClosedByPeer(Exception e) =>
        (e is IOException && e is not KmsProtocolViolationException) || (e is SocketException s && s.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted);

    private KeyServiceUnavailableException Unavailable(Exception e, bool timedOut)
    {
        if (timedOut)
        {
            return new KeyServiceUnavailableException($"key service {_endpoint} did not answer within {FormatTimeout()}", e);
        }

        string reason = e switch
        {
            SocketException s => s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (is prg kms running?)",
                SocketError.AddressNotAvailable => "the socket does not exist (is prg kms running?)",
                SocketError.AccessDenied => "permission denied on the socket",
                _ => s.Message,
            },
            _ => e.Message,
        };
        return new KeyServiceUnavailableException($"key service {_endpoint} is unavailable: {reason}", e);
    }

    private string FormatTimeout() =>
        _options.Timeout.TotalSeconds >= 1 ? $"{_options.Timeout.TotalSeconds:0.###} s" : $"{_options.Timeout.TotalMilliseconds:0} ms";

    private CancellationTokenSource RentTimer() =>
        _timers.TryTake(out CancellationTokenSource? timer) ? timer : new CancellationTokenSource();

    private void ReturnTimer(CancellationTokenSource timer)
    {
        if (timer.TryReset())
        {
            _timers.Add(timer);
        }
        else
        {
            timer.Dispose();
        }
    }
}
