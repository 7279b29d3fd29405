// Composition root of `prg serve`: checks the configuration's security preconditions, opens the
// store and the key provider, and runs the HTTP server until stopped. Start-up refusals are
// StartupException with one clear line.
using System.Net;
using System.Net.Sockets;
using Prg.Api.Auth;
using Prg.Api.Config;
using Prg.Api.Encryption;
using Prg.Api.Handlers;
using Prg.Api.Logging;
using Prg.Api.Metrics;
using Prg.Crypto;
using Prg.Http;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api;

public sealed class ApiHost : IAsyncDisposable
{
    private readonly Log _log;
    private ChatStore? _store;
    private IKeyProvider? _provider;
    private Retention? _retention;
    private HttpServer? _server;
    private volatile bool _ready;

    private ApiHost(Log log)
    {
        _log = log;
    }

    public IReadOnlyList<EndPoint> EndPoints => _server?.BoundEndPoints ?? [];

    /// <param name="zeroConfig">No config file and no PROGRESSDB_* variables: run the embedded default.</param>
    public static async Task<ApiHost> StartAsync(PrgConfig config, bool zeroConfig, Log log)
    {
        var host = new ApiHost(log);
        try
        {
            await host.StartCoreAsync(config, zeroConfig);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(PrgConfig config, bool zeroConfig)
    {
        var server = config.Server;
        var dataDir = Path.GetFullPath(server.DbPath);
        Directory.CreateDirectory(dataDir);
        if (zeroConfig)
        {
            DevDefaults.Apply(config, dataDir, _log);
        }
        if (server.ApiKeys.Signing.Count == 0)
        {
            throw new StartupException("no signing key configured (server.api_keys.signing / PROGRESSDB_API_SIGNING_KEYS)");
        }
        var keyRing = config.Encryption.Enabled ? LoadKeyRing(config.Encryption.Kms) : null;

        _store = ChatStore.Open(new ChatStoreOptions
        {
            Kv = new DurableKvOptions
            {
                Directory = Path.Combine(dataDir, "store"),
                Durability = server.Durability == DurabilityMode.Relaxed ? Durability.Relaxed : Durability.Fsync,
            },
        });
        ThreadMetaDekStore? dekStore = null;
        if (keyRing is not null)
        {
            dekStore = new ThreadMetaDekStore(_store);
            _provider = new EmbeddedKeyProvider(keyRing, dekStore);
        }

        var keys = ApiKeyRing.FromConfig(server.ApiKeys);
        var metrics = new ApiMetrics();
        _retention = new Retention(_store, config.Retention, _log);
        var services = new ApiServices
        {
            Store = _store,
            Cipher = new RecordCipher(_provider, dekStore),
            Keys = keys,
            Signatures = UserSignature.FromConfig(server.ApiKeys),
            RateLimiter = RateLimiter.FromConfig(server.RateLimit, keys),
            Cors = CorsPolicy.FromConfig(server.Cors),
            AllowList = IpAllowList.Parse(server.IpWhitelist),
            Metrics = metrics,
            Retention = _retention,
            Log = _log,
            IsReady = () => _ready,
        };

        var options = new HttpServerOptions
        {
            Limits = new HttpLimits { MaxBodyLength = server.MaxPayloadSize },
            RequestTimeout = server.HeaderTimeout,
            IdleTimeout = server.IdleTimeout,
            MaxConnections = server.MaxConnections,
            OnUnhandledException = e => _log.Error("unhandled exception", LogField.Error(e)),
        };
        options.EndPoints.Add(new IPEndPoint(ResolveAddress(server.Address), server.Port));
        if (!string.IsNullOrEmpty(server.UnixSocket))
        {
            options.EndPoints.Add(new UnixDomainSocketEndPoint(server.UnixSocket));
        }
        _server = new HttpServer(options, new PrgApplication(services));
        try
        {
            _server.Start();
        }
        catch (SocketException e)
        {
            throw new StartupException($"cannot listen on {server.Address}:{server.Port}: {e.Message}");
        }
        _retention.Start(TimeSpan.FromHours(1));
        _ready = true;
        _log.Info("prg ready",
            LogField.Text("version", BuildInfo.Version),
            LogField.Text("listen", string.Join(",", _server.BoundEndPoints)),
            LogField.Text("data", dataDir),
            LogField.Bool("encryption", keyRing is not null));
        await Task.CompletedTask;
    }

    private static KeyRing LoadKeyRing(KmsConfig kms)
    {
        if (kms.Mode == KmsMode.External)
        {
            throw new StartupException("encryption.kms.mode external is not supported by this build yet; use embedded");
        }
        MasterKey current;
        try
        {
            if (!string.IsNullOrEmpty(kms.MasterKeyFile))
            {
                current = MasterKey.FromFile(kms.MasterKeyFile);
            }
            else if (!string.IsNullOrEmpty(kms.MasterKeyHex))
            {
                current = MasterKey.FromHex(kms.MasterKeyHex, "encryption.kms.master_key_hex");
            }
            else
            {
                throw new StartupException("encryption is enabled but no master key is configured (encryption.kms.master_key_file or master_key_hex)");
            }
            var ring = new KeyRing(current);
            foreach (var previous in kms.PreviousMasterKeyFiles)
            {
                ring.AddPrevious(MasterKey.FromFile(previous));
            }
            return ring;
        }
        catch (MasterKeyException e)
        {
            throw new StartupException(e.Message);
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
    }
}
