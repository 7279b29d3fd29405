// Everything `prg kms` is started with (from flags and/or the config file).
using System.Net;

namespace Prg.Kms;

/// <summary>Settings of a <see cref="KmsService"/>.</summary>
public sealed class KmsServiceOptions
{
    /// <summary>Default request body limit: a batch of a few thousand message-sized items.</summary>
    public const long DefaultMaxBodyBytes = 16L << 20;

    /// <summary>Unix socket to listen on (created mode 0600). Null for none.</summary>
    public string? SocketPath { get; init; }

    /// <summary>TCP endpoint to listen on. Null for none.</summary>
    public IPEndPoint? TcpEndPoint { get; init; }

    /// <summary>Allows <see cref="TcpEndPoint"/> to be a non-loopback address (the operator insists).</summary>
    public bool InsecureTcp { get; init; }

    /// <summary>The key store's directory (created mode 0700 if missing).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The current master key (KEK) file; mode 0600 or stricter.</summary>
    public required string MasterKeyFile { get; init; }

    /// <summary>Older master keys kept to unwrap DEKs not yet rewrapped by a KEK rotation.</summary>
    public IReadOnlyList<string> PreviousMasterKeyFiles { get; init; } = [];

    /// <summary>Peer uids allowed on the Unix socket (SO_PEERCRED). Empty: file permissions alone decide.</summary>
    public IReadOnlyList<uint> AllowedUids { get; init; } = [];

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <exception cref="ArgumentException">A combination that cannot work or would be unsafe.</exception>
    internal void Validate()
    {
        if (SocketPath is null && TcpEndPoint is null)
        {
            throw new ArgumentException("nothing to listen on: give a Unix socket (--socket) or a TCP address (--addr)");
        }

        if (SocketPath is { Length: 0 })
        {
            throw new ArgumentException("the socket path is empty");
        }

        if (TcpEndPoint is { } tcp && !IPAddress.IsLoopback(tcp.Address) && !InsecureTcp)
        {
            throw new ArgumentException(
                $"--addr {tcp} is not a loopback address; the key service would be reachable from the network without any authentication (add --insecure-tcp if you really mean it)");
        }

        if (AllowedUids.Count > 0 && TcpEndPoint is not null)
        {
            throw new ArgumentException("--allow-uid is checked on the Unix socket only and cannot protect a TCP listener; drop --addr or --allow-uid");
        }

        if (AllowedUids.Count > 0 && SocketPath is null)
        {
            throw new ArgumentException("--allow-uid needs a Unix socket (--socket)");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("the data directory is empty");
        }

        if (string.IsNullOrWhiteSpace(MasterKeyFile))
        {
            throw new ArgumentException("a master key file is required (--master-key-file)");
        }

        if (MaxBodyBytes < 1024)
        {
            throw new ArgumentException("the request body limit must be at least 1024 bytes");
        }
    }
}
