// `server.*`: listeners, limits and the security settings that sit under `server` in the reference layout.
namespace Prg.Api.Config;

public sealed class ServerConfig
{
    /// <summary>`server.address`: IP address (or host name) to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>`server.port`: TCP port, 1..65535.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>`server.db_path`: data directory, as written (relative paths are relative to the working directory).</summary>
    public string DbPath { get; set; } = "./prg-data";

    /// <summary>`server.max_payload_size`: request body limit in bytes ("100KB" style accepted; KB = 1024).</summary>
    public long MaxPayloadSize { get; set; } = 100 * 1024;

    /// <summary>`server.max_response_bytes` (prg): a page (messages, threads, versions) stops adding items past this size.</summary>
    public long MaxResponseBytes { get; set; } = 8 * 1024 * 1024;

    public CorsConfig Cors { get; } = new();

    public RateLimitConfig RateLimit { get; } = new();

    /// <summary>`server.ip_whitelist`: IPs and CIDR ranges allowed to connect; empty allows everyone.</summary>
    public List<string> IpWhitelist { get; set; } = [];

    public ApiKeysConfig ApiKeys { get; } = new();

    /// <summary>`server.unix_socket` (prg): also serve the API on this Unix domain socket path; null for none.</summary>
    public string? UnixSocket { get; set; }

    /// <summary>`server.unix_socket_mode` (prg): the socket file's mode; who may connect is decided by it, not by the IP allow-list.</summary>
    public UnixFileMode UnixSocketMode { get; set; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>`server.durability` (prg): `fsync` (default) or `relaxed`.</summary>
    public DurabilityMode Durability { get; set; } = DurabilityMode.Fsync;

    /// <summary>`server.max_connections` (prg): concurrent connections accepted before new ones are refused.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>`server.max_connections_per_ip` (prg): concurrent connections from one IP address.</summary>
    public int MaxConnectionsPerIp { get; set; } = 1_000;

    /// <summary>`server.header_timeout` (prg): time a client has to send a complete request head (from accept for the first).</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>`server.idle_timeout` (prg): keep-alive connection idle time before it is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>`server.write_timeout` (prg): grace every write to a client gets before the minimum rate applies.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>`server.min_response_data_rate` (prg): bytes per second a client must read; 0 for the write timeout alone.</summary>
    public long MinResponseDataRate { get; set; } = 240;
}
