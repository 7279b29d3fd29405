// Keep-alive connections to the key service: at most MaxConnections open at once, idle ones reused
// newest first (they are the least likely to have been closed by the service's idle timeout).
using System.Collections.Concurrent;

namespace Prg.Crypto;

internal sealed class KmsConnectionPool : IDisposable
{
    private readonly KmsEndpoint _endpoint;
    private readonly KmsTlsClient? _tls;
    private readonly TimeSpan _idleLifetime;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<KmsConnection> _idle = new();
    private volatile bool _disposed;

    public KmsConnectionPool(KmsEndpoint endpoint, KmsTlsClient? tls, int maxConnections, TimeSpan idleLifetime)
    {
        _endpoint = endpoint;
        _tls = tls;
        _idleLifetime = idleLifetime;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
    }

    public int IdleCount => _idle.Count;

    /// <summary>A connection and whether it was reused from the pool (a reused one may turn out dead).</summary>
    public async ValueTask<(KmsConnection Connection, bool Reused)> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_idle.TryPop(out KmsConnection? idle))
            {
                if (idle.IsReusable(_idleLifetime))
                {
                    return (idle, true);
                }

                idle.Dispose();
            }

            KmsConnection connection = await KmsConnection.ConnectAsync(_endpoint, _tls, cancellationToken).ConfigureAwait(false);
            return (connection, false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Gives a rented connection back; <paramref name="reusable"/> false closes it.</summary>
    public void Return(KmsConnection connection, bool reusable)
    {
        if (reusable && !_disposed)
        {
            _idle.Push(connection);
            if (_disposed && _idle.TryPop(out KmsConnection? late))
            {
                late.Dispose();
            }
        }
        else
        {
            connection.Dispose();
        }

        _slots.Release();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out KmsConnection? connection))
        {
            connection.Dispose();
        }
    }
}
