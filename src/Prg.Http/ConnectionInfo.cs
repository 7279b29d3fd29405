// Facts about the transport connection a request came over.
using System.Net;
using System.Net.Sockets;

namespace Prg.Http;

public sealed class ConnectionInfo
{
    public ConnectionInfo(Socket socket, long id)
    {
        Socket = socket;
        Id = id;
        RemoteAddress = socket.RemoteEndPoint is IPEndPoint ip
            ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
            : null;
    }

    public long Id { get; }

    /// <summary>The peer's IP address; null on a Unix domain socket.</summary>
    public IPAddress? RemoteAddress { get; }

    public bool IsUnixSocket => Socket.AddressFamily == AddressFamily.Unix;

    /// <summary>The accepted socket, for transport facts such as peer credentials on a Unix socket.</summary>
    public Socket Socket { get; }

    /// <summary>The stream HTTP runs over (an SslStream under TLS, for facts such as the peer certificate).</summary>
    public Stream? Stream { get; internal set; }
}
