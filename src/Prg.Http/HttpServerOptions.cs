// How the server listens and how long it waits for clients.
using System.Net;
using System.Net.Sockets;

namespace Prg.Http;

public sealed class HttpServerOptions
{
    /// <summary>IPEndPoint and/or UnixDomainSocketEndPoint listeners.</summary>
    public List<EndPoint> EndPoints { get; } = [];

    public HttpLimits Limits { get; init; } = new();

    /// <summary>
    /// How long a client may take to send a whole request (head and body): from accept for the first
    /// request, from its first byte for later ones. A request not in by then is answered 408.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a keep-alive connection may sit idle between requests.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Grace every write gets before <see cref="MinResponseDataRate"/> is applied (Kestrel's model).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes per second a client must read: a write of n bytes that the peer has not taken within
    /// WriteTimeout + n / rate closes the connection. 0 leaves only the WriteTimeout.
    /// </summary>
    public int MinResponseDataRate { get; init; } = 240;

    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Concurrent connections from one IP address (Unix-socket peers are not counted).</summary>
    public int MaxConnectionsPerAddress { get; init; } = 1_000;

    /// <summary>File mode applied to Unix socket files after bind (e.g. 0600 for the key service).</summary>
    public UnixFileMode? UnixSocketMode { get; init; }

    /// <summary>Checked once per accepted connection; false closes it at once (e.g. peer-uid allow-lists).</summary>
    public Func<ConnectionInfo, bool>? AcceptFilter { get; init; }

    /// <summary>
    /// Turns an accepted socket into the stream HTTP is spoken over (e.g. a TLS handshake), within
    /// the request timeout; null: the plain socket. Throwing closes the connection.
    /// </summary>
    public Func<Socket, CancellationToken, Task<Stream>>? OpenStream { get; init; }

    /// <summary>Told about exceptions a handler let escape (the client gets a 500).</summary>
    public Action<Exception>? OnUnhandledException { get; init; }
}
