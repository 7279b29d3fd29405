// The key service process in one object: loads the master keys (same refusals as embedded mode),
// opens the durable key store, reconciles the KEK on record with the keys it was given (resuming or
// starting a KEK rotation), and serves the protocol on a 0600 Unix socket and/or loopback TCP.
// Stop = stop accepting, drain in-flight requests, finish with a checkpoint, zero the keys.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Prg.Crypto;
using Prg.Http;
using Prg.Logging;

namespace Prg.Kms;

/// <summary>A running <c>prg kms</c>.</summary>
public sealed class KmsService : IAsyncDisposable
{
    private readonly KmsServiceOptions _options;
    private readonly Log _log;
    private readonly KmsKeyStore _store;
    private readonly EmbeddedKeyProvider _provider;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpServer _server;
    private readonly KmsTlsTransport? _tls;
    private readonly AuditLog? _audit;
    private int _stopped;

    private KmsService(KmsServiceOptions options, Log log, KmsKeyStore store, EmbeddedKeyProvider provider, KmsTlsTransport? tls, AuditLog? audit)
    {
        _options = options;
        _log = log;
        _store = store;
        _provider = provider;
        _tls = tls;
        _audit = audit;
        Rotation = new KekRotation(provider, store, log, _stopping.Token);

        var serverOptions = new HttpServerOptions
        {
            Limits = new HttpLimits { MaxBodyLength = options.MaxBodyBytes },
            UnixSocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            AcceptFilter = options.AllowedUids.Count > 0 ? new PeerUidFilter(options.AllowedUids, log).Accept : null,
            OpenStream = tls is null ? null : tls.OpenAsync,
            OnUnhandledException = e => log.Error("unhandled exception in a connection", LogField.Text("error", e.GetType().Name + ": " + e.Message)),
        };
        if (options.SocketPath is not null)
        {
            serverOptions.EndPoints.Add(new UnixDomainSocketEndPoint(Path.GetFullPath(options.SocketPath)));
        }

        if (options.TcpEndPoint is not null)
        {
            serverOptions.EndPoints.Add(options.TcpEndPoint);
        }

        _server = new HttpServer(serverOptions, new KmsApplication(this, provider, store, log, audit));
    }

    /// <summary>The endpoints listened on (a TCP port 0 resolved to the real port).</summary>
    public IReadOnlyList<EndPoint> EndPoints => _server.BoundEndPoints;

    public KmsKeyStore Store => _store;

    public KekRotation Rotation { get; }

    public string CurrentKekId => _provider.KeyRing.CurrentKekId;

    public uint CurrentKekVersion => _provider.KeyRing.CurrentKekVersion;

    /// <summary>
    /// Re-reads the TLS certificate, key and client CA (SIGHUP). Connections already open keep their
    /// session; new handshakes use the new files. A refused reload keeps the old files in use.
    /// </summary>
    public void ReloadTls()
    {
        if (_tls is null)
        {
            return;
        }

        try
        {
            _tls.Credentials.Reload();
            LogCertificate("TLS certificate reloaded", _tls.Credentials);
        }
        catch (TlsCredentialsException e)
        {
            _log.Error("TLS reload refused; still using the previous certificate", LogField.Text("error", e.Message));
        }
    }

    private void LogCertificate(string message, TlsCredentials credentials)
    {
        TimeSpan left = credentials.NotAfter - DateTimeOffset.UtcNow;
        var fields = new LogField[]
        {
            LogField.Text("subject", credentials.Subject),
            LogField.Text("not_after", credentials.NotAfter.ToString("O", CultureInfo.InvariantCulture)),
            LogField.Text("days_left", ((int)Math.Floor(left.TotalDays)).ToString(CultureInfo.InvariantCulture)),
        };
        if (left < TimeSpan.FromDays(14))
        {
            _log.Warn(message + "; it expires soon", fields);
        }
        else
        {
            _log.Info(message, fields);
        }
    }

    /// <summary>Starts the service; returns once it accepts connections.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="MasterKeyException">A master key file was refused.</exception>
    /// <exception cref="TlsCredentialsException">A TLS certificate, key or CA file was refused.</exception>
    /// <exception cref="KmsStartupException">The key store and the configured keys do not match, or a listener cannot be bound.</exception>
    public static async Task<KmsService> StartAsync(KmsServiceOptions options, Log? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= Log.None;

        KeyRing? ring = null;
        KmsKeyStore? store = null;
        KmsService? service = null;
        try
        {
            // Certificates first: a refused file stops the start before any key is loaded.
            KmsTlsTransport? tls = options.UsesTls
                ? new KmsTlsTransport(new TlsCredentials(options.TlsCertFile!, options.TlsKeyFile!, options.TlsClientCaFile!), options.TlsAllowedSubjects, log)
                : null;
            MasterKey current = LoadCurrentMasterKey(options);
            var previous = new List<MasterKey>();
            try
            {
                foreach (string file in options.PreviousMasterKeyFiles)
                {
                    previous.Add(MasterKey.FromFile(file));
                }
            }
            catch
            {
                current.Dispose();
                previous.ForEach(k => k.Dispose());
                throw;
            }

            CreatePrivateDirectory(options.DataDirectory);
            try
            {
                store = KmsKeyStore.Open(options.DataDirectory);
            }
            catch
            {
                current.Dispose();
                previous.ForEach(k => k.Dispose());
                throw;
            }

            (ring, bool resume) = await ReconcileKekAsync(store, current, previous, log).ConfigureAwait(false);
            var provider = new EmbeddedKeyProvider(ring, store);
            ring = null; // owned by the provider now
            AuditLog? audit = options.AuditLogPath is null ? null : AuditLog.Open(options.AuditLogPath, options.AuditLogMaxBytes, options.AuditLogKeep);
            service = new KmsService(options, log, store, provider, tls, audit);
            try
            {
                service._server.Start();
            }
            catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
            {
                throw new KmsStartupException($"cannot listen: {e.Message}", e);
            }

            if (resume)
            {
                service.Rotation.Resume();
            }

            if (options.TcpEndPoint is not null && tls is null)
            {
                log.Warn("the TCP listener has no authentication and no encryption (for tests only; use --tls-cert, --tls-key and --tls-client-ca)",
                    LogField.Text("listen", options.TcpEndPoint.ToString()));
            }

            if (tls is not null)
            {
                service.LogCertificate("TLS certificate loaded", tls.Credentials);
            }

            if (LockedMemory.LockFailures > 0)
            {
                log.Warn(LockedMemory.Describe());
            }
            else
            {
                log.Info(LockedMemory.Describe());
            }

            log.Info(
                "key service started",
                LogField.Text("listen", string.Join(", ", service.EndPoints.Select(Describe))),
                LogField.Text("kek_id", provider.KeyRing.CurrentKekId),
                LogField.Text("kek_version", provider.KeyRing.CurrentKekVersion.ToString(CultureInfo.InvariantCulture)),
                LogField.Text("keys", store.Count.ToString(CultureInfo.InvariantCulture)));
            return service;
        }
        catch
        {
            ring?.Dispose();
            if (service is not null)
            {
                await service.DisposeAsync().ConfigureAwait(false);
            }
            else if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Provisions (or returns the existing) DEK of a thread. The material is durable before this
    /// returns; an existing key is never overwritten.
    /// </summary>
    public async Task<ThreadKeyMaterial> CreateDekAsync(string threadId, CancellationToken cancellationToken = default)
    {
        string keyId = KeyIds.ForThread(threadId);
        ThreadKeyMaterial? existing = _store.Get(keyId);
        if (existing is not null)
        {
            // Still wait for durability: a concurrent first create may not have been fsynced yet.
            return (await _store.CreateIfAbsentAsync(existing, cancellationToken).ConfigureAwait(false)).Material;
        }

        DekInfo fresh = await _provider.CreateDekForThreadAsync(threadId, cancellationToken).ConfigureAwait(false);
        (ThreadKeyMaterial stored, bool created) = await _store.CreateIfAbsentAsync(fresh.Material, cancellationToken).ConfigureAwait(false);
        if (created && _provider.NeedsRewrap(stored))
        {
            // A KEK rotation switched keys between wrapping and storing; the sweep may have passed this
            // key already, so bring it to the new KEK here.
            stored = (await _provider.RewrapDekAsync(keyId, cancellationToken).ConfigureAwait(false)).Material;
        }

        if (created)
        {
            _log.Info("DEK created", LogField.Text("key_id", keyId));
        }

        return stored;
    }

    /// <summary>Stops accepting, drains in-flight requests, stops a rotation sweep (it resumes on the next start).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _server.StopAsync(_options.DrainTimeout).ConfigureAwait(false);
        _stopping.Cancel();
        try
        {
            await Rotation.Sweep.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Error("KEK rotation sweep ended with an error", LogField.Text("error", e.Message));
        }
    }

    /// <summary>Stops, checkpoints and closes the key store, and zeroes the master keys and cached DEKs.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _provider.DisposeAsync().ConfigureAwait(false);
            if (_audit is not null)
            {
                await _audit.DisposeAsync().ConfigureAwait(false);
            }

            _stopping.Dispose();
        }
    }

    private static async Task<(KeyRing Ring, bool ResumeRotation)> ReconcileKekAsync(
        KmsKeyStore store, MasterKey current, List<MasterKey> previous, Log log)
    {
        KekState? state = store.ReadKekState();
        uint version;
        bool rotating;
        if (state is null)
        {
            version = 1;
            rotating = false;
        }
        else if (state.KekId == current.KekId)
        {
            version = state.KekVersion;
            rotating = state.Rotating;
        }
        else if (previous.Exists(k => k.KekId == state.KekId) || store.Count == 0)
        {
            // The operator rotated by restarting with a new --master-key-file (and the old one as
            // previous): the new key becomes the next KEK version and every DEK is rewrapped.
            version = checked(state.KekVersion + 1);
            rotating = store.Count > 0;
            log.Info("new master key configured; rotating the KEK", LogField.Text("from_kek_id", state.KekId), LogField.Text("kek_id", current.KekId));
        }
        else
        {
            string message =
                $"the key store's current KEK is {state.KekId}, but --master-key-file holds {current.KekId} and no --previous-master-key-file holds {state.KekId}; " +
                "start with the store's key as --master-key-file (or, to rotate, with the new key as --master-key-file and the old one as --previous-master-key-file)";
            current.Dispose();
            previous.ForEach(k => k.Dispose());
            throw new KmsStartupException(message);
        }

        var ring = new KeyRing(current, version);
        try
        {
            foreach (MasterKey key in previous)
            {
                if (ring.Contains(key.KekId))
                {
                    key.Dispose(); // the same file given twice, or as current and previous
                    continue;
                }

                ring.AddPrevious(key);
            }

            if (state is null || state.KekId != current.KekId || state.KekVersion != version || state.Rotating != rotating)
            {
                await store.WriteKekStateAsync(new KekState(current.KekId, version, rotating), CancellationToken.None).ConfigureAwait(false);
            }

            return (ring, rotating);
        }
        catch
        {
            ring.Dispose();
            throw;
        }
    }

    private static MasterKey LoadCurrentMasterKey(KmsServiceOptions options) =>
        options.MasterKeyFd is int fd ? MasterKey.FromFileDescriptor(fd)
        : options.MasterKeyCredential is { } name ? MasterKey.FromCredential(name)
        : MasterKey.FromFile(options.MasterKeyFile!);

    private static void CreatePrivateDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static string Describe(EndPoint endPoint) => endPoint is UnixDomainSocketEndPoint unix ? "unix:" + unix : endPoint.ToString()!;
}
