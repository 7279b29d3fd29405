// Parses encryption.kms.endpoint: "unix:/path/to.sock" for a Unix domain socket (the default and
// recommended transport on one host), "https://host:port" for mutual TLS to a key service on another
// host, or "host:port" for plain TCP (tests and loopback only).
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Prg.Crypto;

/// <summary>Where the key service listens.</summary>
public sealed class KmsEndpoint
{
    private const string UnixPrefix = "unix:";
    private const string TlsPrefix = "https://";

    private KmsEndpoint(EndPoint endPoint, string display, string? host = null, bool isTls = false)
    {
        EndPoint = endPoint;
        Display = display;
        Host = host;
        IsTls = isTls;
    }

    /// <summary>The host as configured (the default TLS server name); null for a Unix socket.</summary>
    public string? Host { get; }

    /// <summary>An <c>https://</c> endpoint: mutual TLS over TCP.</summary>
    public bool IsTls { get; }

    /// <summary>A <see cref="UnixDomainSocketEndPoint"/>, <see cref="IPEndPoint"/> or <see cref="DnsEndPoint"/>.</summary>
    public EndPoint EndPoint { get; }

    public bool IsUnixSocket => EndPoint is UnixDomainSocketEndPoint;

    /// <summary>The endpoint as configured (safe to log).</summary>
    public string Display { get; }

    public override string ToString() => Display;

    /// <exception cref="ArgumentException">The text is neither <c>unix:/path</c> nor <c>host:port</c>.</exception>
    public static KmsEndpoint Parse(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        string text = endpoint.Trim();
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            string path = text[UnixPrefix.Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..]; // unix:///run/x.sock
            }

            if (path.Length == 0)
            {
                throw new ArgumentException($"key service endpoint '{endpoint}' has no socket path (expected unix:/path/to.sock)", nameof(endpoint));
            }

            return new KmsEndpoint(new UnixDomainSocketEndPoint(path), UnixPrefix + path);
        }

        bool tls = text.StartsWith(TlsPrefix, StringComparison.OrdinalIgnoreCase);
        string hostPort = tls ? text[TlsPrefix.Length..].TrimEnd('/') : text;
        int colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostPort.Length - 1)
        {
            throw new ArgumentException($"key service endpoint '{endpoint}' must be unix:/path/to.sock or host:port", nameof(endpoint));
        }

        string host = hostPort[..colon];
        if (!int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"key service endpoint '{endpoint}' has an invalid port", nameof(endpoint));
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        EndPoint target = IPAddress.TryParse(host, out IPAddress? address)
            ? new IPEndPoint(address, port)
            : new DnsEndPoint(host, port);
        return new KmsEndpoint(target, text, host, tls);
    }
}
