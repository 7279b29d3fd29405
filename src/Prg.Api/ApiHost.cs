// Composition root of `prg serve`: checks the configuration's security preconditions, opens the
// store and the key provider, and runs the HTTP server until stopped. Start-up refusals are
// StartupException with one clear line.
using System.Net;
using System.Net.Sockets;
using Prg.Api.Auth;
using Prg.Api.Chat;
using Prg.Api.Config;
using Prg.Api.Encryption;
using Prg.Api.Handlers;
using Prg.Api.Jobs;
using Prg.Api.Metrics;
using Prg.Api.Operations;
using Prg.Crypto;
using Prg.Http;
using Prg.Logging;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api;

public sealed class ApiHost : IAsyncDisposable
{
    private readonly Log _log;
    private ChatStore? _store;
    private IKeyProvider? _provider;
    private JobRunner? _jobs;
    private Retention? _retention;
    private HttpServer? _server;
    private AuditLog? _audit;
    private BackupSessions? _backups;
    private volatile bool _ready;

    /// <summary>A backup whose client sent nothing for this long is ended (its pin holds checkpoints off).</summary>
    private static readonly TimeSpan BackupIdleTimeout = TimeSpan.FromSeconds(60);

    private ApiHost(Log log)
    {
        _log = log;
    }

    public IReadOnlyList<EndPoint> EndPoints => _server?.BoundEndPoints ?? [];

    /// <param name="zeroConfig">No config file and no PROGRESSDB_* variables: run the embedded default.</param>
    /// <param name="salvage">Open a store with a damaged log anyway, reporting what is lost (<c>prg serve --salvage</c>).</param>
    public static async Task<ApiHost> StartAsync(PrgConfig config, bool zeroConfig, Log log, bool salvage = false)
    {
        var host = new ApiHost(log);
        try
        {
            await host.StartCoreAsync(config, zeroConfig, salvage);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(PrgConfig config, bool zeroConfig, bool salvage)
    {
        var server = config.Server;
        var dataDir = Path.GetFullPath(server.DbPath);
        Directory.CreateDirectory(dataDir);
        if (zeroConfig)
        {
            DevDefaults.Apply(config, dataDir);
        }
        if (server.ApiKeys.Signing.Count == 0)
        {
            throw new StartupException("no signing key configured (server.api_keys.signing / PROGRESSDB_API_SIGNING_KEYS)");
        }
        DevDefaults.UseDataDirectoryMasterKey(config.Encryption, dataDir, _log);
        // Configured keys and the key service are checked before the store is touched, so a refused
        // start changes nothing.
        var kms = config.Encryption.Kms;
        var external = config.Encryption.Enabled && kms.Mode == KmsMode.External;
        using var masterKeys = !config.Encryption.Enabled ? null
            : external ? LoadFallbackKeys(kms)
            : MasterKeySetup.Load(kms);
        var keyService = external ? await ConnectKeyServiceAsync(kms) : null;

        try
        {
            _store = ChatStore.Open(new ChatStoreOptions
            {
                Kv = new DurableKvOptions
                {
                    Directory = Path.Combine(dataDir, "store"),
                    Durability = server.Durability == DurabilityMode.Relaxed ? Durability.Relaxed : Durability.Fsync,
                    Salvage = salvage,
                    RecoveryLog = line => _log.Warn(line),
                },
                MaxVersionsPerMessage = config.Retention.MaxVersionsPerMessage,
                FeedRetention = config.Feeds.Retention,
            });
        }
        catch when (keyService is not null)
        {
            await keyService.DisposeAsync(); // not yet owned by a provider that DisposeAsync would reach
            throw;
        }
        _jobs = new JobRunner(_store, _log, config.Encryption.RotationBatchPause);
        ThreadMetaDekStore? dekStore = null;
        CountingKeyProvider? counted = null;
        EmbeddedKeyProvider? embedded = null;
        KekStateStore? kekState = null;
        if (keyService is not null)
        {
            // External mode: the server never holds a raw DEK, except that a configured local master
            // key lets reads fall back to unwrapping the thread's stored DEK while the service is down.
            dekStore = new ThreadMetaDekStore(_store);
            IKeyProvider provider = masterKeys is null
                ? keyService
                : new FallbackKeyProvider(keyService, masterKeys.CreateFallbackRing(), dekStore);
            _provider = counted = new CountingKeyProvider(provider);
        }
        else if (masterKeys is not null)
        {
            // The store's KEK rotation state decides which key is current (see MasterKeySetup).
            kekState = new KekStateStore(_store);
            var keyRing = masterKeys.CreateKeyRing(kekState, _jobs.Store, _log);
            dekStore = new ThreadMetaDekStore(_store);
            embedded = new EmbeddedKeyProvider(keyRing, dekStore);
            _provider = counted = new CountingKeyProvider(embedded);
        }

        var keys = ApiKeyRing.FromConfig(server.ApiKeys);
        var metrics = new ApiMetrics();
        _retention = new Retention(_store, config.Retention, _log);
        var cipher = new RecordCipher(_provider, dekStore);
        var chat = new ChatService(_store, cipher);
        // Rotation jobs re-seal through the chat service; KEK rotation exists only with an embedded key.
        KekRotationJob? kekRotation = null;
        DekRotationJob? dekRotation = null;
        if (counted is not null && dekStore is not null)
        {
            if (embedded is not null && kekState is not null)
            {
                kekRotation = new KekRotationJob(chat, embedded, counted, dekStore, kekState, _jobs, _log);
                _jobs.Register(kekRotation);
            }
            dekRotation = new DekRotationJob(chat, counted, _jobs, _log, dekStore);
            _jobs.Register(dekRotation);
        }
        var encryptionMetrics = new EncryptionMetrics(cipher, counted, _jobs);
        var storageMetrics = new StorageMetrics(_store.EngineStats);
        var feeds = new Feeds.FeedServices(config.Feeds);
        ConnectionMetrics? connectionMetrics = null; // the server is built after the application it serves
        metrics.AppendExtra = output =>
        {
            encryptionMetrics.Write(output);
            storageMetrics.Write(output);
            connectionMetrics?.Write(output);
            feeds.Registry.Write(output);
            RuntimeMetrics.Write(output);
        };
        var services = new ApiServices
        {
            Chat = chat,
            Store = _store,
            Cipher = cipher,
            Keys = keys,
            Signatures = UserSignature.FromConfig(server.ApiKeys),
            RateLimiter = RateLimiter.FromConfig(server.RateLimit, keys),
            Cors = CorsPolicy.FromConfig(server.Cors),
            AllowList = IpAllowList.Parse(server.IpWhitelist),
            Metrics = metrics,
            Retention = _retention,
            KmsAdmin = new KmsAdminHandlers(_store, _jobs, kekRotation, dekRotation, cipher.Failures, _log,
                _audit = config.Encryption.Kms.AuditLog is { } auditPath ? AuditLog.Open(auditPath) : null),
            Log = _log,
            IsReady = () => _ready,
            KeyService = keyService is null ? null : new KeyServiceProbe(keyService.CheckHealthAsync),
            MaxResponseBytes = server.MaxResponseBytes,
            Feeds = feeds,
            Backups = _backups = new BackupSessions(_store, MasterKeyLocation.Describe(config.Encryption), BackupIdleTimeout),
        };

        var options = new HttpServerOptions
        {
            Limits = new HttpLimits { MaxBodyLength = server.MaxPayloadSize },
            RequestTimeout = server.HeaderTimeout,
            IdleTimeout = server.IdleTimeout,
            WriteTimeout = server.WriteTimeout,
            MinResponseDataRate = (int)server.MinResponseDataRate,
            MaxConnections = server.MaxConnections,
            MaxConnectionsPerAddress = server.MaxConnectionsPerIp,
            UnixSocketMode = server.UnixSocketMode,
            OnUnhandledException = e => _log.Error("unhandled exception", LogField.Error(e)),
        };
        options.EndPoints.Add(new IPEndPoint(ResolveAddress(server.Address), server.Port));
        if (!string.IsNullOrEmpty(server.UnixSocket))
        {
            options.EndPoints.Add(new UnixDomainSocketEndPoint(server.UnixSocket));
        }
        _server = new HttpServer(options, new PrgApplication(services));
        connectionMetrics = new ConnectionMetrics(_server);
        try
        {
            _server.Start();
        }
        catch (SocketException e)
        {
            throw new StartupException($"cannot listen on {server.Address}:{server.Port}: {e.Message}");
        }
        _retention.Start();
        // Jobs a crash or shutdown interrupted carry on from their last checkpoint.
        await _jobs.ResumeUnfinishedAsync();
        _ready = true;
        _log.Info("prg ready",
            LogField.Text("version", BuildInfo.Version),
            LogField.Text("listen", string.Join(",", _server.BoundEndPoints)),
            LogField.Text("data", dataDir),
            LogField.Bool("encryption", _provider is not null));
    }

    /// <summary>In external mode a local master key is optional: it only enables the read fallback.</summary>
    private static MasterKeySetup? LoadFallbackKeys(KmsConfig kms) =>
        kms.HasMasterKey ? MasterKeySetup.Load(kms) : null;

    private async Task<ExternalKeyProvider> ConnectKeyServiceAsync(KmsConfig kms)
    {
        if (string.IsNullOrEmpty(kms.Endpoint))
        {
            throw new StartupException("encryption.kms.mode is external but encryption.kms.endpoint is not set");
        }
        ExternalKeyProvider service;
        try
        {
            service = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = kms.Endpoint, Tls = KmsTlsSetup.Create(kms) });
        }
        catch (TlsCredentialsException e)
        {
            throw new StartupException(e.Message);
        }
        try
        {
            await service.CheckHealthAsync();
            return service;
        }
        catch (CryptoException e)
        {
            await service.DisposeAsync();
            throw new StartupException($"the key service at {kms.Endpoint} is unreachable: {e.Message}");
        }
    }

    private static IPAddress ResolveAddress(string address)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }
        if (address is "localhost" or "")
        {
            return IPAddress.Loopback;
        }
        try
        {
            return Dns.GetHostAddresses(address)[0];
        }
        catch (SocketException e)
        {
            throw new StartupException($"cannot resolve server.address '{address}': {e.Message}");
        }
    }

    /// <summary>Graceful stop: refuse new work, finish in-flight requests, then flush and checkpoint the store.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        _ready = false;
        if (_server is not null)
        {
            await _server.StopAsync(drainTimeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _backups?.Dispose(); // a running backup's pin would hold off the store's closing checkpoint
        if (_jobs is not null)
        {
            await _jobs.DisposeAsync();
        }
        if (_retention is not null)
        {
            await _retention.DisposeAsync();
        }
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
        if (_audit is not null)
        {
            await _audit.DisposeAsync();
        }
    }
}
