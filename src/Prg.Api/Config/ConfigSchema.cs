// The one table of every configuration key prg understands: dotted YAML path -> setter, the sections
// that contain them, the environment variables that override them, and the legacy `security:` layout
// of older ProgressDB config files mapped onto today's keys.
namespace Prg.Api.Config;

internal static class ConfigSchema
{
    public static readonly Dictionary<string, Action<PrgConfig, ConfigValue>> Leaves = new(StringComparer.Ordinal)
    {
        ["server.address"] = static (c, v) => c.Server.Address = v.String().Trim(),
        ["server.port"] = static (c, v) => c.Server.Port = v.Int32(),
        ["server.db_path"] = static (c, v) => c.Server.DbPath = v.String(),
        ["server.max_payload_size"] = static (c, v) => c.Server.MaxPayloadSize = v.Size(),
        ["server.max_response_bytes"] = static (c, v) => c.Server.MaxResponseBytes = v.Size(),
        ["server.cors.allowed_origins"] = static (c, v) => c.Server.Cors.AllowedOrigins = v.List(),
        ["server.rate_limit.rps"] = static (c, v) => c.Server.RateLimit.Rps = v.Number(),
        ["server.rate_limit.burst"] = static (c, v) => c.Server.RateLimit.Burst = v.Int32(),
        ["server.ip_whitelist"] = static (c, v) => c.Server.IpWhitelist = v.List(),
        ["server.api_keys.admin"] = static (c, v) => c.Server.ApiKeys.Admin = v.List(),
        ["server.api_keys.backend"] = static (c, v) => c.Server.ApiKeys.Backend = v.List(),
        ["server.api_keys.frontend"] = static (c, v) => c.Server.ApiKeys.Frontend = v.List(),
        ["server.api_keys.signing"] = static (c, v) => c.Server.ApiKeys.Signing = v.List(),
        ["server.unix_socket"] = static (c, v) => c.Server.UnixSocket = v.String(),
        ["server.durability"] = static (c, v) => c.Server.Durability = v.Durability(),
        ["server.max_connections"] = static (c, v) => c.Server.MaxConnections = v.Int32(),
        ["server.header_timeout"] = static (c, v) => c.Server.HeaderTimeout = v.Duration(),
        ["server.idle_timeout"] = static (c, v) => c.Server.IdleTimeout = v.Duration(),
        ["server.write_timeout"] = static (c, v) => c.Server.WriteTimeout = v.Duration(),
        ["server.min_response_data_rate"] = static (c, v) => c.Server.MinResponseDataRate = v.Size(),
        ["server.max_connections_per_ip"] = static (c, v) => c.Server.MaxConnectionsPerIp = v.Int32(),
        ["server.unix_socket_mode"] = static (c, v) => c.Server.UnixSocketMode = v.FileMode(),
        ["logging.level"] = static (c, v) => c.Logging.Level = v.Level(),
        ["retention.enabled"] = static (c, v) => c.Retention.Enabled = v.Boolean(),
        ["retention.cron"] = static (c, v) => c.Retention.Cron = v.String().Trim(),
        ["retention.mttl"] = static (c, v) => c.Retention.MessageTtl = v.Duration(),
        ["retention.tttl"] = static (c, v) => c.Retention.ThreadTtl = v.Duration(),
        ["retention.max_versions_per_message"] = static (c, v) => c.Retention.MaxVersionsPerMessage = v.Int32(),
        ["feeds.retention"] = static (c, v) => c.Feeds.Retention = v.Int32(),
        ["feeds.max_subscribers"] = static (c, v) => c.Feeds.MaxSubscribers = v.Int32(),
        ["feeds.subscriber_buffer"] = static (c, v) => c.Feeds.SubscriberBuffer = v.Size(),
        ["feeds.coalesce"] = static (c, v) => c.Feeds.Coalesce = v.Duration(),
        ["feeds.heartbeat"] = static (c, v) => c.Feeds.Heartbeat = v.Duration(),
        ["feeds.token_ttl"] = static (c, v) => c.Feeds.TokenTtl = v.Duration(),
        ["encryption.enabled"] = static (c, v) => c.Encryption.Enabled = v.Boolean(),
        ["encryption.fields"] = static (c, v) => c.Encryption.Fields = v.List(),
        ["encryption.rotation_batch_pause"] = static (c, v) => c.Encryption.RotationBatchPause = v.Duration(),
        ["encryption.kms.mode"] = static (c, v) => c.Encryption.Kms.Mode = v.Kms(),
        ["encryption.kms.endpoint"] = static (c, v) => c.Encryption.Kms.Endpoint = v.String().Trim(),
        ["encryption.kms.master_key_file"] = static (c, v) => c.Encryption.Kms.MasterKeyFile = v.String(),
        ["encryption.kms.master_key_hex"] = static (c, v) => c.Encryption.Kms.MasterKeyHex = v.String().Trim(),
        ["encryption.kms.previous_master_key_files"] = static (c, v) => c.Encryption.Kms.PreviousMasterKeyFiles = v.List(),
        ["encryption.kms.audit_log"] = static (c, v) => c.Encryption.Kms.AuditLog = v.String(),
        ["encryption.kms.master_key_credential"] = static (c, v) => c.Encryption.Kms.MasterKeyCredential = v.String().Trim(),
        ["encryption.kms.tls.cert_file"] = static (c, v) => c.Encryption.Kms.Tls.CertFile = v.String(),
        ["encryption.kms.tls.key_file"] = static (c, v) => c.Encryption.Kms.Tls.KeyFile = v.String(),
        ["encryption.kms.tls.ca_file"] = static (c, v) => c.Encryption.Kms.Tls.CaFile = v.String(),
        ["encryption.kms.tls.server_name"] = static (c, v) => c.Encryption.Kms.Tls.ServerName = v.String().Trim(),
    };

    /// <summary>Mappings that contain keys (the `security` ones belong to the legacy layout).</summary>
    public static readonly HashSet<string> Sections = new(StringComparer.Ordinal)
    {
        "server", "server.cors", "server.rate_limit", "server.api_keys",
        "logging", "retention", "feeds", "encryption", "encryption.kms", "encryption.kms.tls",
        "security",
    };

    /// <summary>
    /// Environment variables, applied in this order after the file (so within one key the later name wins:
    /// the reference's older aliases come first, the documented name last).
    /// </summary>
    public static readonly (string Name, string Path)[] Environment =
    [
        ("PROGRESSDB_SERVER_ADDRESS", "server.address"),
        ("PROGRESSDB_SERVER_PORT", "server.port"),
        ("PROGRESSDB_SERVER_DB_PATH", "server.db_path"),
        ("PROGRESSDB_DB_PATH", "server.db_path"),
        ("PROGRESSDB_SERVER_UNIX_SOCKET", "server.unix_socket"),
        ("PROGRESSDB_CORS_ORIGINS", "server.cors.allowed_origins"),
        ("PROGRESSDB_RATE_RPS", "server.rate_limit.rps"),
        ("PROGRESSDB_RATE_BURST", "server.rate_limit.burst"),
        ("PROGRESSDB_IP_WHITELIST", "server.ip_whitelist"),
        ("PROGRESSDB_API_ADMIN_KEYS", "server.api_keys.admin"),
        ("PROGRESSDB_API_BACKEND_KEYS", "server.api_keys.backend"),
        ("PROGRESSDB_API_FRONTEND_KEYS", "server.api_keys.frontend"),
        ("PROGRESSDB_API_SIGNING_KEYS", "server.api_keys.signing"),
        ("PROGRESSDB_LOG_LEVEL", "logging.level"),
        ("PROGRESSDB_USE_ENCRYPTION", "encryption.enabled"),
        ("PROGRESSDB_ENCRYPTION_ENABLED", "encryption.enabled"),
        ("PROGRESSDB_ENCRYPTION_FIELDS", "encryption.fields"),
        ("PROGRESSDB_KMS_MODE", "encryption.kms.mode"),
        ("PROGRESSDB_KMS_ENDPOINT", "encryption.kms.endpoint"),
        ("PROGRESSDB_KMS_MASTER_KEY_FILE", "encryption.kms.master_key_file"),
        ("PROGRESSDB_KMS_MASTER_KEY_HEX", "encryption.kms.master_key_hex"),
        ("PROGRESSDB_KMS_PREVIOUS_MASTER_KEY_FILES", "encryption.kms.previous_master_key_files"),
        ("PROGRESSDB_KMS_MASTER_KEY_CREDENTIAL", "encryption.kms.master_key_credential"),
    ];

    // Older ProgressDB files kept the security settings under `security:`; longest prefix first.
    private static readonly (string Legacy, string Current)[] s_legacyPrefixes =
    [
        ("security.encryption.use", "encryption.enabled"),
        ("security.encryption", "encryption"),
        ("security.kms", "encryption.kms"),
        ("security.cors", "server.cors"),
        ("security.rate_limit", "server.rate_limit"),
        ("security.ip_whitelist", "server.ip_whitelist"),
        ("security.api_keys", "server.api_keys"),
    ];

    /// <summary>Maps a path as written in the file to the canonical path (identity outside `security`).</summary>
    public static string Canonical(string writtenPath)
    {
        foreach ((string legacy, string current) in s_legacyPrefixes)
        {
            if (writtenPath.Length >= legacy.Length
                && writtenPath.StartsWith(legacy, StringComparison.Ordinal)
                && (writtenPath.Length == legacy.Length || writtenPath[legacy.Length] == '.'))
            {
                return current + writtenPath[legacy.Length..];
            }
        }

        return writtenPath;
    }
}
