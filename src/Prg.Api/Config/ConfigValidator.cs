// Checks a merged PrgConfig and throws a one-line ConfigException for the first bad value, naming the
// key and, when known, where it was set (file:line or environment variable).
using System.Globalization;
using Prg.Api.Auth;
using Prg.Api.Handlers;

using Prg.Crypto;

using Prg.Storage.Chat;

namespace Prg.Api.Config;

internal static class ConfigValidator
{
    // sockaddr_un.sun_path is 108 bytes on Linux including the terminating NUL.
    private const int MaxUnixSocketPathBytes = 107;

    public static void Validate(PrgConfig config, IReadOnlyDictionary<string, string>? origins)
    {
        ArgumentNullException.ThrowIfNull(config);
        ServerConfig server = config.Server;

        Require(!string.IsNullOrWhiteSpace(server.Address), "server.address", "must not be empty");
        Require(server.Port is >= 1 and <= 65535, "server.port", $"must be between 1 and 65535, got {server.Port}");
        Require(!string.IsNullOrWhiteSpace(server.DbPath), "server.db_path", "must not be empty");
        Require(server.MaxPayloadSize is >= 1 and <= int.MaxValue, "server.max_payload_size",
            $"must be between 1 byte and 2GB, got {server.MaxPayloadSize}");
        Require(server.MaxResponseBytes >= 1024, "server.max_response_bytes", $"must be at least 1KB, got {server.MaxResponseBytes}");
        Require(double.IsFinite(server.RateLimit.Rps) && server.RateLimit.Rps >= 0, "server.rate_limit.rps",
            $"must be 0 (off) or a positive number, got {server.RateLimit.Rps.ToString(CultureInfo.InvariantCulture)}");
        Require(server.RateLimit.Rps <= TokenBucket.MaxRatePerSecond, "server.rate_limit.rps",
            $"must be at most {TokenBucket.MaxRatePerSecond}");
        Require(server.RateLimit.Rps == 0 || server.RateLimit.Burst >= 1, "server.rate_limit.burst",
            $"must be at least 1, got {server.RateLimit.Burst}");
        Require(server.MaxConnections >= 1, "server.max_connections", $"must be at least 1, got {server.MaxConnections}");
        Require(server.HeaderTimeout > TimeSpan.Zero, "server.header_timeout", "must be greater than zero");
        Require(server.IdleTimeout > TimeSpan.Zero, "server.idle_timeout", "must be greater than zero");
        Require(server.WriteTimeout > TimeSpan.Zero, "server.write_timeout", "must be greater than zero");
        Require(server.MinResponseDataRate is >= 0 and <= int.MaxValue, "server.min_response_data_rate",
            $"must be 0 (off) or a rate in bytes per second up to 2GB, got {server.MinResponseDataRate}");
        Require(server.MaxConnectionsPerIp >= 1, "server.max_connections_per_ip", $"must be at least 1, got {server.MaxConnectionsPerIp}");

        if (server.UnixSocket is not null)
        {
            Require(server.UnixSocket.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(server.UnixSocket) <= MaxUnixSocketPathBytes,
                "server.unix_socket", $"path must be 1 to {MaxUnixSocketPathBytes} bytes long");
        }

        try
        {
            IpAllowList.Parse(server.IpWhitelist);
        }
        catch (FormatException ex)
        {
            throw Error("server.ip_whitelist", ex.Message);
        }

        foreach (string origin in server.Cors.AllowedOrigins)
        {
            Require(origin.Length > 0 && !origin.Any(char.IsWhiteSpace), "server.cors.allowed_origins",
                $"'{origin}' is not an origin (expected scheme://host[:port] or *)");
        }

        ValidateApiKeys(server.ApiKeys);

        RetentionConfig retention = config.Retention;
        Require(retention.MessageTtl >= TimeSpan.Zero, "retention.mttl", "must not be negative");
        Require(retention.ThreadTtl >= TimeSpan.Zero, "retention.tttl", "must not be negative");
        Require(retention.MaxVersionsPerMessage >= 0, "retention.max_versions_per_message", "must be 0 (keep all) or more");
        if (retention.Enabled)
        {
            Require(CronSchedule.TryParse(retention.Cron, out _, out string cronError), "retention.cron",
                $"is not a valid schedule: {cronError}");
        }

        FeedsConfig feeds = config.Feeds;
        Require(feeds.Retention is >= 1 and <= ChatStore.MaxFeedRetention, "feeds.retention", $"must be 1 to {ChatStore.MaxFeedRetention} events");
        Require(feeds.MaxSubscribers >= 1, "feeds.max_subscribers", "must be at least 1");
        Require(feeds.SubscriberBuffer >= 4096, "feeds.subscriber_buffer", "must be at least 4KB");
        Require(feeds.Coalesce >= TimeSpan.Zero && feeds.Coalesce <= TimeSpan.FromMilliseconds(100), "feeds.coalesce", "must be 0 to 100ms");
        Require(feeds.Heartbeat >= TimeSpan.FromMilliseconds(100), "feeds.heartbeat", "must be at least 100ms");
        Require(feeds.TokenTtl >= TimeSpan.FromSeconds(1) && feeds.TokenTtl <= TimeSpan.FromHours(1), "feeds.token_ttl", "must be 1s to 1h");

        TimeSpan rotationPause = config.Encryption.RotationBatchPause;
        Require(rotationPause >= TimeSpan.Zero && rotationPause <= TimeSpan.FromSeconds(10), "encryption.rotation_batch_pause", "must be 0 to 10s");

        KmsConfig kms = config.Encryption.Kms;
        if (kms.MasterKeyHex is not null)
        {
            // Never echo the value: it is the master key.
            Require(kms.MasterKeyHex.Length == 64 && kms.MasterKeyHex.All(char.IsAsciiHexDigit), "encryption.kms.master_key_hex",
                $"must be exactly 64 hex characters (32 bytes), got {kms.MasterKeyHex.Length} characters");
            Require(kms.MasterKeyFile is null, "encryption.kms.master_key_hex",
                "set either encryption.kms.master_key_file or encryption.kms.master_key_hex, not both");
        }

        int masterKeySources = (kms.MasterKeyFile is null ? 0 : 1) + (kms.MasterKeyHex is null ? 0 : 1)
            + (kms.MasterKeyCredential is null ? 0 : 1) + (kms.MasterKeyFd is null ? 0 : 1);
        Require(masterKeySources <= 1, "encryption.kms",
            "has more than one master key source; set one of master_key_file, master_key_hex, master_key_credential (or --master-key-fd)");
        bool tlsEndpoint = kms.Endpoint?.StartsWith("https://", StringComparison.Ordinal) == true;
        if (config.Encryption.Enabled && kms.Mode == KmsMode.External && tlsEndpoint)
        {
            Require(!string.IsNullOrEmpty(kms.Tls.CertFile) && !string.IsNullOrEmpty(kms.Tls.KeyFile) && !string.IsNullOrEmpty(kms.Tls.CaFile),
                "encryption.kms.tls", "needs cert_file, key_file and ca_file for an https:// endpoint (mutual TLS)");
        }

        Require(!kms.Tls.IsConfigured || tlsEndpoint, "encryption.kms.tls", "is used only with an https://HOST:PORT endpoint");

        foreach (string file in kms.PreviousMasterKeyFiles)
        {
            Require(file.Length > 0, "encryption.kms.previous_master_key_files", "entries must not be empty");
        }

        if (config.Encryption.Enabled && kms.Mode == KmsMode.External)
        {
            Require(!string.IsNullOrEmpty(kms.Endpoint), "encryption.kms.endpoint", "is required when encryption.kms.mode is external");
            Require(IsValidEndpoint(kms.Endpoint!), "encryption.kms.endpoint",
                $"must be unix:/path/to.sock or host:port (or https://host:port for mutual TLS), got '{kms.Endpoint}'");
        }

        void Require(bool condition, string path, string detail)
        {
            if (!condition)
            {
                throw Error(path, detail);
            }
        }

        ConfigException Error(string path, string detail) =>
            origins is not null && origins.TryGetValue(path, out string? origin)
                ? new ConfigException($"{origin}: {path} {detail}")
                : new ConfigException($"{path} {detail}");

        void ValidateApiKeys(ApiKeysConfig keys)
        {
            var roleOfKey = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string role, List<string> list) in new[] { ("admin", keys.Admin), ("backend", keys.Backend), ("frontend", keys.Frontend) })
            {
                foreach (string key in list)
                {
                    string path = "server.api_keys." + role;
                    Require(key.Length > 0 && !key.Any(char.IsWhiteSpace) && !key.Any(char.IsControl), path,
                        "keys must be non-empty and contain no whitespace or control characters");
                    if (roleOfKey.TryGetValue(key, out string? other) && other != role)
                    {
                        throw Error(path, $"a key is listed under both {other} and {role}; each key must have one role");
                    }

                    roleOfKey[key] = role;
                }
            }

            foreach (string key in keys.Signing)
            {
                Require(key.Length > 0, "server.api_keys.signing", "keys must not be empty");
            }
        }
    }

    /// <summary>The client's own parser decides, so the check and the connection can never disagree.</summary>
    private static bool IsValidEndpoint(string endpoint)
    {
        try
        {
            KmsEndpoint.Parse(endpoint);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
