// How the server listens and how long it waits for clients.
using System.Net;
using System.Net.Sockets;

namespace Prg.Http;

public sealed class HttpServerOptions
{
    /// <summary>IPEndPoint and/or UnixDomainSocketEndPoint listeners.</summary>
    public List<EndPoint> EndPoints { get; } = [];

    public HttpLimits Limits { get; init; } = new();

    /// <summary>How long a client may take to send a whole request (head and body) once it starts one.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a keep-alive connection may sit idle between requests.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public int MaxConnections { get; init; } = 10_000;

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
