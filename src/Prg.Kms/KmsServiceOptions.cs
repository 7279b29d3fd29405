// Everything `prg kms` is started with (from flags and/or the config file).
using System.Net;
using Prg.Crypto;

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

    /// <summary>Allows <see cref="TcpEndPoint"/> without TLS on a non-loopback address (tests; the operator insists).</summary>
    public bool InsecureTcp { get; init; }

    /// <summary>Mutual TLS on <see cref="TcpEndPoint"/>: the service's certificate (PEM).</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>Its private key (PEM, 0600/0400, owned by the service user).</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>The CA every client certificate must chain to.</summary>
    public string? TlsClientCaFile { get; init; }

    /// <summary>If not empty, only client certificates with one of these subjects, common names or DNS names.</summary>
    public IReadOnlyList<string> TlsAllowedSubjects { get; init; } = [];

    /// <summary>Append-only JSON-lines audit log of key operations; null for none.</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>The audit log is rotated when it reaches this size.</summary>
    public long AuditLogMaxBytes { get; init; } = AuditLog.DefaultMaxBytes;

    /// <summary>Rotated audit files kept (audit.log.1 … .N).</summary>
    public int AuditLogKeep { get; init; } = AuditLog.DefaultKeep;

    /// <summary>Whether the TCP listener speaks mutual TLS.</summary>
    public bool UsesTls => TlsCertFile is not null || TlsKeyFile is not null || TlsClientCaFile is not null;

    /// <summary>The key store's directory (created mode 0700 if missing).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The current master key (KEK) file; mode 0600 or stricter. One of the three sources is required.</summary>
    public string? MasterKeyFile { get; init; }

    /// <summary>The current master key as a systemd credential name ($CREDENTIALS_DIRECTORY/NAME).</summary>
    public string? MasterKeyCredential { get; init; }

    /// <summary>The current master key read from this inherited file descriptor (0 = stdin), then closed.</summary>
    public int? MasterKeyFd { get; init; }

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

        if (TcpEndPoint is { } tcp && !UsesTls && !IPAddress.IsLoopback(tcp.Address) && !InsecureTcp)
        {
            throw new ArgumentException(
                $"--addr {tcp} is not a loopback address; the key service would be reachable from the network without any authentication (use mutual TLS: --tls-cert, --tls-key, --tls-client-ca; or add --insecure-tcp if you really mean it)");
        }

        if (UsesTls)
        {
            if (TlsCertFile is null || TlsKeyFile is null || TlsClientCaFile is null)
            {
                throw new ArgumentException("mutual TLS needs all of --tls-cert, --tls-key and --tls-client-ca");
            }

            if (TcpEndPoint is null)
            {
                throw new ArgumentException("--tls-cert/--tls-key/--tls-client-ca apply to the TCP listener; add --addr HOST:PORT");
            }

            if (InsecureTcp)
            {
                throw new ArgumentException("--insecure-tcp cannot be combined with mutual TLS");
            }
        }
        else if (TlsAllowedSubjects.Count > 0)
        {
            throw new ArgumentException("--tls-allow-subject needs mutual TLS (--tls-cert, --tls-key, --tls-client-ca)");
        }

        if (AuditLogMaxBytes < 4096 || AuditLogKeep < 1)
        {
            throw new ArgumentException("the audit log needs --audit-max-bytes of at least 4096 and --audit-keep of at least 1");
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

        int sources = (string.IsNullOrWhiteSpace(MasterKeyFile) ? 0 : 1) + (string.IsNullOrWhiteSpace(MasterKeyCredential) ? 0 : 1) + (MasterKeyFd is null ? 0 : 1);
        if (sources != 1)
        {
            throw new ArgumentException(sources == 0
                ? "a master key is required (--master-key-file, --master-key-credential or --master-key-fd)"
                : "give only one of --master-key-file, --master-key-credential and --master-key-fd");
        }

        if (MaxBodyBytes < 1024)
        {
            throw new ArgumentException("the request body limit must be at least 1024 bytes");
        }
    }
}
