// Transport events the server counts for the application to export (e.g. as Prometheus counters):
// connections it refused at accept and connections it closed because the client was too slow.
namespace Prg.Http;

public sealed class HttpServerCounters
{
    private long _refusedAtCapacity;
    private long _refusedPerAddress;
    private long _requestTimeouts;
    private long _writeTimeouts;

    /// <summary>Connections refused with 503 because max_connections were open.</summary>
    public long RefusedAtCapacity => Volatile.Read(ref _refusedAtCapacity);

    /// <summary>Connections refused with 503 because their IP address already had its share open.</summary>
    public long RefusedPerAddress => Volatile.Read(ref _refusedPerAddress);

    /// <summary>Connections answered 408 and closed: the request (head or body) was not in by its deadline.</summary>
    public long RequestTimeouts => Volatile.Read(ref _requestTimeouts);

    /// <summary>Connections closed because the client did not read its responses fast enough.</summary>
    public long WriteTimeouts => Volatile.Read(ref _writeTimeouts);

    internal void CountRefusedAtCapacity() => Interlocked.Increment(ref _refusedAtCapacity);
    internal void CountRefusedPerAddress() => Interlocked.Increment(ref _refusedPerAddress);
    internal void CountRequestTimeout() => Interlocked.Increment(ref _requestTimeouts);
    internal void CountWriteTimeout() => Interlocked.Increment(ref _writeTimeouts);
}
