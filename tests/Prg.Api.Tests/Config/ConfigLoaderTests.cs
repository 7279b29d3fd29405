// ConfigLoader: reference-layout files load, env overrides the file, defaults apply, file resolution
// order, unknown keys are listed, and bad values fail with one clear line.
using Prg.Api.Config;
using Prg.Logging;

namespace Prg.Api.Tests.Config;

public sealed class ConfigLoaderTests : IDisposable
{
    // Every key prg knows, in the reference service's layout, plus sections and keys prg does not use.
    private const string FullReferenceFile = """
        server:
          address: "0.0.0.0"
          port: 9090
          db_path: "./database"
          max_payload_size: "256KB"
          tls:
            cert_file: ""
            key_file: ""
          cors:
            allowed_origins:
              - "http://localhost:3000"
              - "https://chat.example.com"
          ip_whitelist:
            - "127.0.0.1"
            - "::1"
            - "10.0.0.0/8"
          rate_limit:
            rps: 100_000
            burst: 150_000
          api_keys:
            backend: ["sk_one", "sk_two"]
            frontend: ["pk_one"]
            admin: ["admin_one"]
            signing: ["sign_one", "sign_two"]
          unix_socket: /run/prg/api.sock
          durability: relaxed
          max_connections: 2048
          header_timeout: 5s
          idle_timeout: 2m

        retention:
          enabled: true
          cron: "0 3 * * *"
          mttl: 720h
          tttl: 1440h

        ingest:
          intake:
            queue_capacity: 100_000
            shutdown_poll_interval: 5ms

        logging:
          level: "debug"

        telemetry:
          buffer_size: 60MB

        encryption:
          enabled: true
          fields: ["body"]
          kms:
            mode: "external"
            endpoint: "unix:/run/prgkms.sock"
            db_path: "./kms"
            master_key_file: "/etc/prg/master.key"
            master_key_hex: ""
            previous_master_key_files:
              - /etc/prg/old-1.key
              - /etc/prg/old-2.key
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DefaultsApplyWithNoFileAndNoEnvironment()
    {
        LoadedConfig loaded = ConfigLoader.Load(null, Env(), _dir.Path);

        Assert.Null(loaded.SourcePath);
        Assert.Empty(loaded.UnknownKeys);
        PrgConfig c = loaded.Config;
        Assert.Equal("127.0.0.1", c.Server.Address);
        Assert.Equal(8080, c.Server.Port);
        Assert.Equal("./prg-data", c.Server.DbPath);
        Assert.Equal(102400, c.Server.MaxPayloadSize);
        Assert.Equal(1000, c.Server.RateLimit.Rps);
        Assert.Equal(1000, c.Server.RateLimit.Burst);
        Assert.Empty(c.Server.IpWhitelist);
        Assert.Empty(c.Server.Cors.AllowedOrigins);
        Assert.Empty(c.Server.ApiKeys.Signing);
        Assert.Null(c.Server.UnixSocket);
        Assert.Equal(DurabilityMode.Fsync, c.Server.Durability);
        Assert.Equal(10_000, c.Server.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), c.Server.HeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), c.Server.IdleTimeout);
        Assert.Equal(LogLevel.Info, c.Logging.Level);
        Assert.False(c.Retention.Enabled);
        Assert.True(c.Encryption.Enabled);
        Assert.Equal(KmsMode.Embedded, c.Encryption.Kms.Mode);
        Assert.Null(c.Encryption.Kms.MasterKeyFile);
        Assert.Null(c.Encryption.Kms.MasterKeyHex);
    }

    [Fact]
    public void ReferenceLayoutWithEveryKeyLoads()
    {
        string file = _dir.Write("prg.yaml", FullReferenceFile);

        LoadedConfig loaded = ConfigLoader.Load(file, Env(), _dir.Path);

        Assert.Equal(file, loaded.SourcePath);
        PrgConfig c = loaded.Config;
        Assert.Equal("0.0.0.0", c.Server.Address);
        Assert.Equal(9090, c.Server.Port);
        Assert.Equal("./database", c.Server.DbPath);
        Assert.Equal(256 * 1024, c.Server.MaxPayloadSize);
        Assert.Equal(["http://localhost:3000", "https://chat.example.com"], c.Server.Cors.AllowedOrigins);
        Assert.Equal(["127.0.0.1", "::1", "10.0.0.0/8"], c.Server.IpWhitelist);
        Assert.Equal(100_000, c.Server.RateLimit.Rps);
        Assert.Equal(150_000, c.Server.RateLimit.Burst);
        Assert.Equal(["sk_one", "sk_two"], c.Server.ApiKeys.Backend);
        Assert.Equal(["pk_one"], c.Server.ApiKeys.Frontend);
        Assert.Equal(["admin_one"], c.Server.ApiKeys.Admin);
        Assert.Equal(["sign_one", "sign_two"], c.Server.ApiKeys.Signing);
        Assert.Equal("/run/prg/api.sock", c.Server.UnixSocket);
        Assert.Equal(DurabilityMode.Relaxed, c.Server.Durability);
        Assert.Equal(2048, c.Server.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(5), c.Server.HeaderTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), c.Server.IdleTimeout);
        Assert.True(c.Retention.Enabled);
        Assert.Equal("0 3 * * *", c.Retention.Cron);
        Assert.Equal(TimeSpan.FromHours(720), c.Retention.MessageTtl);
        Assert.Equal(TimeSpan.FromHours(1440), c.Retention.ThreadTtl);
        Assert.Equal(LogLevel.Debug, c.Logging.Level);
        Assert.True(c.Encryption.Enabled);
        Assert.Equal(["body"], c.Encryption.Fields);
        Assert.Equal(KmsMode.External, c.Encryption.Kms.Mode);
        Assert.Equal("unix:/run/prgkms.sock", c.Encryption.Kms.Endpoint);
        Assert.Equal("/etc/prg/master.key", c.Encryption.Kms.MasterKeyFile);
        Assert.Null(c.Encryption.Kms.MasterKeyHex);
        Assert.Equal(["/etc/prg/old-1.key", "/etc/prg/old-2.key"], c.Encryption.Kms.PreviousMasterKeyFiles);
        Assert.Equal(["server.tls", "ingest", "telemetry", "encryption.kms.db_path"], loaded.UnknownKeys);
    }

    [Fact]
    public void EmbeddedReferenceFileWithZeroHexKeyAndNoTrailingNewlineLoads()
    {
        string file = _dir.Write("config.yaml", """
            server:
              address: "0.0.0.0"
              port: 8080
              api_keys:
                backend: ["sk_example"]
                signing: ["sign_example"]
            sensor:
              poll_interval: "1s"
            encryption:
              enabled: true
              kms:
                mode: "embedded"
                endpoint: "127.0.0.1:6820"
                master_key_hex: "0000000000000000000000000000000000000000000000000000000000000000"
            """);

        LoadedConfig loaded = ConfigLoader.Load(null, Env(), _dir.Path);

        Assert.Equal(file, loaded.SourcePath);
        Assert.Equal(new string('0', 64), loaded.Config.Encryption.Kms.MasterKeyHex);
        Assert.Equal(KmsMode.Embedded, loaded.Config.Encryption.Kms.Mode);
        Assert.Equal(["sensor"], loaded.UnknownKeys);
    }

    [Fact]
    public void LegacySecuritySectionMapsOntoCurrentKeys()
    {
        string file = _dir.Write("legacy.yaml", """
            server:
              address: "0.0.0.0"
            security:
              cors:
                allowed_origins: ["http://localhost:3000"]
              rate_limit:
                rps: 10
                burst: 20
              ip_whitelist: ["127.0.0.1"]
              api_keys:
                backend: ["sk_legacy"]
              encryption:
                use: false
                fields: []
              kms:
                socket: "/tmp/kms.sock"
                master_key_file: ""
            logging:
              level: "warn"
            """);

        LoadedConfig loaded = ConfigLoader.Load(file, Env(), _dir.Path);

        PrgConfig c = loaded.Config;
        Assert.Equal(["http://localhost:3000"], c.Server.Cors.AllowedOrigins);
        Assert.Equal(10, c.Server.RateLimit.Rps);
        Assert.Equal(20, c.Server.RateLimit.Burst);
        Assert.Equal(["127.0.0.1"], c.Server.IpWhitelist);
        Assert.Equal(["sk_legacy"], c.Server.ApiKeys.Backend);
        Assert.False(c.Encryption.Enabled);
        Assert.Equal(LogLevel.Warn, c.Logging.Level);
        Assert.Equal(["security.kms.socket"], loaded.UnknownKeys);
    }

    [Fact]
    public void CurrentKeyWinsOverLegacyKeyWhateverTheOrderInTheFile()
    {
        string file = _dir.Write("both.yaml", """
            security:
              rate_limit:
                rps: 10
            server:
              rate_limit:
                rps: 500
            """);

        Assert.Equal(500, ConfigLoader.Load(file, Env(), _dir.Path).Config.Server.RateLimit.Rps);
    }

    [Fact]
    public void EnvironmentOverridesFile()
    {
        string file = _dir.Write("prg.yaml", FullReferenceFile);
        var env = Env(
            ("PROGRESSDB_SERVER_ADDRESS", "10.1.1.1"),
            ("PROGRESSDB_SERVER_PORT", "7070"),
            ("PROGRESSDB_DB_PATH", "/var/lib/prg"),
            ("PROGRESSDB_SERVER_UNIX_SOCKET", "/tmp/prg.sock"),
            ("PROGRESSDB_CORS_ORIGINS", "https://a.example, https://b.example"),
            ("PROGRESSDB_RATE_RPS", "50"),
            ("PROGRESSDB_RATE_BURST", "60"),
            ("PROGRESSDB_API_ADMIN_KEYS", "adm1,adm2"),
            ("PROGRESSDB_API_BACKEND_KEYS", "sk_env"),
            ("PROGRESSDB_API_FRONTEND_KEYS", "pk_env1, pk_env2"),
            ("PROGRESSDB_API_SIGNING_KEYS", "sig_env"),
            ("PROGRESSDB_LOG_LEVEL", "error"),
            ("PROGRESSDB_ENCRYPTION_ENABLED", "false"),
            ("PROGRESSDB_KMS_MODE", "embedded"),
            ("PROGRESSDB_KMS_ENDPOINT", "127.0.0.1:6820"),
            ("PROGRESSDB_KMS_MASTER_KEY_FILE", "/env/master.key"),
            ("PROGRESSDB_KMS_PREVIOUS_MASTER_KEY_FILES", "/env/old.key"));

        PrgConfig c = ConfigLoader.Load(file, env, _dir.Path).Config;

        Assert.Equal("10.1.1.1", c.Server.Address);
        Assert.Equal(7070, c.Server.Port);
        Assert.Equal("/var/lib/prg", c.Server.DbPath);
        Assert.Equal("/tmp/prg.sock", c.Server.UnixSocket);
        Assert.Equal(["https://a.example", "https://b.example"], c.Server.Cors.AllowedOrigins);
        Assert.Equal(50, c.Server.RateLimit.Rps);
        Assert.Equal(60, c.Server.RateLimit.Burst);
        Assert.Equal(["adm1", "adm2"], c.Server.ApiKeys.Admin);
        Assert.Equal(["sk_env"], c.Server.ApiKeys.Backend);
        Assert.Equal(["pk_env1", "pk_env2"], c.Server.ApiKeys.Frontend);
        Assert.Equal(["sig_env"], c.Server.ApiKeys.Signing);
        Assert.Equal(LogLevel.Error, c.Logging.Level);
        Assert.False(c.Encryption.Enabled);
        Assert.Equal(KmsMode.Embedded, c.Encryption.Kms.Mode);
        Assert.Equal("127.0.0.1:6820", c.Encryption.Kms.Endpoint);
        Assert.Equal("/env/master.key", c.Encryption.Kms.MasterKeyFile);
        Assert.Equal(["/env/old.key"], c.Encryption.Kms.PreviousMasterKeyFiles);

        // Keys the environment does not mention keep the file's values.
        Assert.Equal(DurabilityMode.Relaxed, c.Server.Durability);
        Assert.Equal(["body"], c.Encryption.Fields);
    }

    [Fact]
    public void EnvironmentMasterKeyHexApplies()
    {
        string hex = string.Concat(Enumerable.Repeat("ab", 32));
        PrgConfig c = ConfigLoader.Load(null, Env(("PROGRESSDB_KMS_MASTER_KEY_HEX", hex)), _dir.Path).Config;

        Assert.Equal(hex, c.Encryption.Kms.MasterKeyHex);
    }

    [Fact]
    public void EmptyEnvironmentValuesAreIgnored()
    {
        _dir.Write("config.yaml", "server:\n  port: 9000\n");

        PrgConfig c = ConfigLoader.Load(null, Env(("PROGRESSDB_SERVER_PORT", ""), ("PROGRESSDB_SERVER_ADDRESS", null)), _dir.Path).Config;

        Assert.Equal(9000, c.Server.Port);
        Assert.Equal("127.0.0.1", c.Server.Address);
    }

    [Fact]
    public void ApiKeysAcceptListOrCommaString()
    {
        string file = _dir.Write("keys.yaml", """
            server:
              api_keys:
                admin: "a1, a2"
                backend:
                  - b1
                  - b2
                frontend: f1
                signing: [s1, s2]
            """);

        ApiKeysConfig keys = ConfigLoader.Load(file, Env(), _dir.Path).Config.Server.ApiKeys;

        Assert.Equal(["a1", "a2"], keys.Admin);
        Assert.Equal(["b1", "b2"], keys.Backend);
        Assert.Equal(["f1"], keys.Frontend);
        Assert.Equal(["s1", "s2"], keys.Signing);
    }

    [Fact]
    public void ExplicitPathBeatsEnvironmentPathWhichBeatsWorkingDirectoryFile()
    {
        _dir.Write("config.yaml", "server:\n  port: 1001\n");
        string fromEnv = _dir.Write("env.yaml", "server:\n  port: 1002\n");
        string explicitFile = _dir.Write("explicit.yaml", "server:\n  port: 1003\n");

        Assert.Equal(1001, ConfigLoader.Load(null, Env(), _dir.Path).Config.Server.Port);
        Assert.Equal(1002, ConfigLoader.Load(null, Env(("PROGRESSDB_CONFIG", fromEnv)), _dir.Path).Config.Server.Port);
        Assert.Equal(1003, ConfigLoader.Load(explicitFile, Env(("PROGRESSDB_CONFIG", fromEnv)), _dir.Path).Config.Server.Port);
    }

    [Fact]
    public void RelativeConfigPathResolvesAgainstCurrentDirectory()
    {
        string file = _dir.Write("rel.yaml", "server:\n  port: 4242\n");

        LoadedConfig loaded = ConfigLoader.Load("rel.yaml", Env(), _dir.Path);

        Assert.Equal(file, loaded.SourcePath);
        Assert.Equal(4242, loaded.Config.Server.Port);
    }

    [Fact]
    public void MissingExplicitFileIsAnError()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load("nope.yaml", Env(), _dir.Path));

        Assert.Contains("config file not found", ex.Message);
        Assert.Contains("nope.yaml", ex.Message);
    }

    [Fact]
    public void MissingFileNamedByEnvironmentIsAnError()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, Env(("PROGRESSDB_CONFIG", "/no/such/prg.yaml")), _dir.Path));

        Assert.Contains("PROGRESSDB_CONFIG", ex.Message);
    }

    [Fact]
    public void EmptyFileGivesDefaults()
    {
        string file = _dir.Write("empty.yaml", "# nothing here\n");

        LoadedConfig loaded = ConfigLoader.Load(file, Env(), _dir.Path);

        Assert.Equal(8080, loaded.Config.Server.Port);
        Assert.Equal(file, loaded.SourcePath);
    }

    [Fact]
    public void EmptyAndNullValuesKeepDefaults()
    {
        string file = _dir.Write("nulls.yaml", """
            server:
              address: ""
              port:
              ip_whitelist:
                # - "127.0.0.1"
            logging: ~
            """);

        PrgConfig c = ConfigLoader.Load(file, Env(), _dir.Path).Config;

        Assert.Equal("127.0.0.1", c.Server.Address);
        Assert.Equal(8080, c.Server.Port);
        Assert.Empty(c.Server.IpWhitelist);
        Assert.Equal(LogLevel.Info, c.Logging.Level);
    }

    [Fact]
    public void TransportLimitsDefaultAndParse()
    {
        ServerConfig defaults = ConfigLoader.Load(null, Env(), _dir.Path).Config.Server;
        Assert.Equal(TimeSpan.FromSeconds(5), defaults.WriteTimeout);
        Assert.Equal(240, defaults.MinResponseDataRate);
        Assert.Equal(1000, defaults.MaxConnectionsPerIp);
        Assert.Equal((UnixFileMode)Convert.ToInt32("660", 8), defaults.UnixSocketMode);

        string file = _dir.Write("transport.yaml",
            "server:\n  write_timeout: 30s\n  min_response_data_rate: 1KB\n  max_connections_per_ip: 64\n  unix_socket_mode: \"0600\"\n");
        ServerConfig set = ConfigLoader.Load(file, Env(), _dir.Path).Config.Server;
        Assert.Equal(TimeSpan.FromSeconds(30), set.WriteTimeout);
        Assert.Equal(1024, set.MinResponseDataRate);
        Assert.Equal(64, set.MaxConnectionsPerIp);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, set.UnixSocketMode);
    }

    [Fact]
    public void FeedSettingsDefaultAndParse()
    {
        FeedsConfig defaults = ConfigLoader.Load(null, Env(), _dir.Path).Config.Feeds;
        Assert.Equal((1000, 10_000, 1L << 20, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(2)),
            (defaults.Retention, defaults.MaxSubscribers, defaults.SubscriberBuffer, defaults.Heartbeat, defaults.TokenTtl, defaults.Coalesce));

        string file = _dir.Write("feeds.yaml",
            "feeds:\n  retention: 50\n  max_subscribers: 7\n  subscriber_buffer: 64KB\n  heartbeat: 2s\n  token_ttl: 5m\n  coalesce: 0\n");
        FeedsConfig set = ConfigLoader.Load(file, Env(), _dir.Path).Config.Feeds;
        Assert.Equal((50, 7, 65536L, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), TimeSpan.Zero),
            (set.Retention, set.MaxSubscribers, set.SubscriberBuffer, set.Heartbeat, set.TokenTtl, set.Coalesce));
    }

    [Fact]
    public void RotationBatchPauseDefaultsToNoneAndParses()
    {
        Assert.Equal(TimeSpan.Zero, ConfigLoader.Load(null, Env(), _dir.Path).Config.Encryption.RotationBatchPause);
        string file = _dir.Write("pause.yaml", "encryption:\n  enabled: false\n  rotation_batch_pause: 250ms\n");
        Assert.Equal(TimeSpan.FromMilliseconds(250), ConfigLoader.Load(file, Env(), _dir.Path).Config.Encryption.RotationBatchPause);
    }

    [Theory]
    [InlineData("server:\n  port: 0\n", "server.port must be between 1 and 65535, got 0", ":2:")]
    [InlineData("server:\n  port: 70000\n", "server.port must be between 1 and 65535", ":2:")]
    [InlineData("server:\n  port: abc\n", "server.port: expected a whole number", ":2:")]
    [InlineData("server:\n  max_payload_size: -1KB\n", "server.max_payload_size: size must not be negative", ":2:")]
    [InlineData("server:\n  max_payload_size: 0\n", "server.max_payload_size must be between", ":2:")]
    [InlineData("server:\n  rate_limit:\n    rps: -5\n", "server.rate_limit.rps must be 0 (off) or a positive number", ":3:")]
    [InlineData("server:\n  rate_limit:\n    burst: 0\n", "server.rate_limit.burst must be at least 1", ":3:")]
    [InlineData("server:\n  durability: sometimes\n", "expected fsync or relaxed", ":2:")]
    [InlineData("server:\n  header_timeout: 0s\n", "server.header_timeout must be greater than zero", ":2:")]
    [InlineData("server:\n  idle_timeout: soon\n", "server.idle_timeout: expected a duration", ":2:")]
    [InlineData("server:\n  max_connections: 0\n", "server.max_connections must be at least 1", ":2:")]
    [InlineData("feeds:\n  retention: 0\n", "feeds.retention must be 1 to 1024 events", ":2:")]
    [InlineData("feeds:\n  retention: 5000\n", "feeds.retention must be 1 to 1024 events", ":2:")]
    [InlineData("feeds:\n  max_subscribers: 0\n", "feeds.max_subscribers must be at least 1", ":2:")]
    [InlineData("feeds:\n  subscriber_buffer: 1KB\n", "feeds.subscriber_buffer must be at least 4KB", ":2:")]
    [InlineData("feeds:\n  heartbeat: 10ms\n", "feeds.heartbeat must be at least 100ms", ":2:")]
    [InlineData("feeds:\n  token_ttl: 2h\n", "feeds.token_ttl must be 1s to 1h", ":2:")]
    [InlineData("feeds:\n  coalesce: 1s\n", "feeds.coalesce must be 0 to 100ms", ":2:")]
    [InlineData("encryption:\n  enabled: false\n  rotation_batch_pause: 20s\n", "encryption.rotation_batch_pause must be 0 to 10s", ":3:")]
    [InlineData("server:\n  max_connections_per_ip: 0\n", "server.max_connections_per_ip must be at least 1", ":2:")]
    [InlineData("server:\n  write_timeout: 0s\n", "server.write_timeout must be greater than zero", ":2:")]
    [InlineData("server:\n  min_response_data_rate: 4GB\n", "server.min_response_data_rate must be 0 (off) or a rate", ":2:")]
    [InlineData("server:\n  unix_socket_mode: \"0999\"\n", "expected an octal file mode such as 0660, got '0999'", ":2:")]
    [InlineData("server:\n  unix_socket_mode: rw\n", "server.unix_socket_mode: expected an octal file mode", ":2:")]
    [InlineData("server:\n  ip_whitelist: [\"10.0.0.0/33\"]\n", "'10.0.0.0/33'", ":2:")]
    [InlineData("server:\n  ip_whitelist: [\"not-an-ip\"]\n", "server.ip_whitelist", ":2:")]
    [InlineData("server:\n  api_keys:\n    admin: [k1]\n    frontend: [k1]\n", "listed under both admin and frontend", ":4:")]
    [InlineData("server:\n  unix_socket: \"/tmp/" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\"\n", "server.unix_socket", ":2:")]
    [InlineData("logging:\n  level: verbose\n", "expected debug, info, warn or error, got 'verbose'", ":2:")]
    [InlineData("encryption:\n  enabled: maybe\n", "encryption.enabled: expected true or false", ":2:")]
    [InlineData("encryption:\n  kms:\n    mode: cloud\n", "expected embedded or external, got 'cloud'", ":3:")]
    [InlineData("encryption:\n  kms:\n    mode: external\n", "encryption.kms.endpoint is required", "")]
    [InlineData("encryption:\n  kms:\n    mode: external\n    endpoint: nowhere\n", "must be unix:/path/to.sock or host:port", ":4:")]
    [InlineData("encryption:\n  kms:\n    master_key_hex: abcd\n", "must be exactly 64 hex characters", ":3:")]
    [InlineData("encryption:\n  kms:\n    master_key_file: /k\n    master_key_hex: \"0000000000000000000000000000000000000000000000000000000000000000\"\n", "not both", ":4:")]
    [InlineData("retention:\n  enabled: true\n  cron: \"every day\"\n", "retention.cron is not a valid schedule: a cron expression has five fields", ":3:")]
    [InlineData("retention:\n  enabled: true\n  cron: \"61 * * * *\"\n", "retention.cron is not a valid schedule: cron minute field '61': 61 is outside 0-59", ":3:")]
    [InlineData("retention:\n  enabled: true\n  cron: \"0 0 31 2 *\"\n", "never fires", ":3:")]
    [InlineData("retention:\n  enabled: true\n  cron: \"@fortnightly\"\n", "unknown cron macro '@fortnightly'", ":3:")]
    [InlineData("server: 5\n", "server: expected a mapping", ":1:")]
    [InlineData("server:\n  port: [1, 2]\n", "expected a single value, got a list", ":2:")]
    [InlineData("server:\n  cors:\n    allowed_origins:\n      - a: b\n", "list items must be plain values", ":4:")]
    [InlineData("- just\n- a list\n", "must be a mapping", ":1:")]
    public void InvalidValuesFailWithOneLineNamingKeyAndLocation(string yaml, string fragment, string location)
    {
        string file = _dir.Write("bad.yaml", yaml);

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, Env(), _dir.Path));

        Assert.Contains(fragment, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        if (location.Length > 0)
        {
            Assert.StartsWith(file + location, ex.Message);
        }
    }

    [Fact]
    public void InvalidEnvironmentValueNamesTheVariable()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, Env(("PROGRESSDB_SERVER_PORT", "eighty")), _dir.Path));

        Assert.Contains("environment variable PROGRESSDB_SERVER_PORT", ex.Message);
        Assert.Contains("expected a whole number", ex.Message);
    }

    [Fact]
    public void OutOfRangeEnvironmentValueNamesTheVariableInValidation()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, Env(("PROGRESSDB_SERVER_PORT", "99999")), _dir.Path));

        Assert.StartsWith("environment variable PROGRESSDB_SERVER_PORT: server.port must be between 1 and 65535", ex.Message);
    }

    [Fact]
    public void MasterKeyErrorNeverEchoesTheKey()
    {
        string secret = new string('z', 64);
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, Env(("PROGRESSDB_KMS_MASTER_KEY_HEX", secret)), _dir.Path));

        Assert.Contains("64 hex characters", ex.Message);
        Assert.DoesNotContain(secret, ex.Message);
    }

    [Fact]
    public void YamlErrorsInTheFileSurfaceWithFileAndLine()
    {
        string file = _dir.Write("tabs.yaml", "server:\n\tport: 1\n");

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, Env(), _dir.Path));

        Assert.Equal(file, ex.FilePath);
        Assert.Equal(2, ex.LineNumber);
    }

    [Fact]
    public void ExternalModeEndpointIsNotRequiredWhenEncryptionIsOff()
    {
        string file = _dir.Write("off.yaml", "encryption:\n  enabled: false\n  kms:\n    mode: external\n");

        Assert.Equal(KmsMode.External, ConfigLoader.Load(file, Env(), _dir.Path).Config.Encryption.Kms.Mode);
    }

    [Fact]
    public void ValidateOnAProgrammaticConfigNamesTheKey()
    {
        var config = new PrgConfig();
        config.Server.MaxConnections = -1;

        var ex = Assert.Throws<ConfigException>(config.Validate);

        Assert.Equal("server.max_connections must be at least 1, got -1", ex.Message);
    }

    private static Dictionary<string, string?> Env(params (string Name, string? Value)[] vars)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach ((string name, string? value) in vars)
        {
            env[name] = value;
        }

        return env;
    }
}
