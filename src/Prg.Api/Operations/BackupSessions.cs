// The server's online backups: at most one at a time (it holds checkpoints off while it runs), ended by
// its client or, should the client vanish, after IdleTimeout without a request.
using System.Security.Cryptography;
using Prg.Api.Chat;
using Prg.Api.Handlers;
using Prg.Api.Http;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api.Operations;

public sealed class BackupSessions : IDisposable
{
    private readonly ChatStore _store;
    private readonly Timer _reaper;
    private readonly object _lock = new();
    private BackupSession? _active;
    private bool _starting;
    private bool _disposed;

    public BackupSessions(ChatStore store, string masterKeyLocation, TimeSpan idleTimeout)
    {
        _store = store;
        MasterKeyLocation = masterKeyLocation;
        IdleTimeout = idleTimeout;
        var tick = TimeSpan.FromMilliseconds(Math.Max(100, idleTimeout.TotalMilliseconds / 4));
        _reaper = new Timer(_ => EndIfIdle(), null, tick, tick);
    }

    public string MasterKeyLocation { get; }

    public TimeSpan IdleTimeout { get; }

    /// <summary>Checkpoints and pins a snapshot. 409 while another backup runs.</summary>
    public async Task<BackupSession> StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is not null || _starting)
            {
                throw new ApiException(409, "a backup is already running; retry when it ends");
            }

            _starting = true;
        }
        try
        {
            (StoreSnapshot snapshot, StoreStats stats) = await _store.OpenSnapshotAsync(cancellationToken);
            var session = new BackupSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), snapshot, stats, UnixNanos.Now());
            lock (_lock)
            {
                if (_disposed)
                {
                    session.Dispose();
                    throw new ObjectDisposedException(nameof(BackupSessions));
                }
                _active = session;
            }
            return session;
        }
        finally
        {
            lock (_lock)
            {
                _starting = false;
            }
        }
    }

    /// <summary>The running backup with this id (its idle clock restarted); 404 otherwise.</summary>
    public BackupSession Get(string id)
    {
        lock (_lock)
        {
            if (_active is null || _active.Id != id)
            {
                throw ApiException.NotFound("backup not found (ended, or idle for longer than the timeout)");
            }

            _active.Touch();
            return _active;
        }
    }

    /// <summary>Ends the backup with this id; false if it is not running.</summary>
    public bool End(string id)
    {
        BackupSession? ended;
        lock (_lock)
        {
            if (_active is null || _active.Id != id)
            {
                return false;
            }

            ended = _active;
            _active = null;
        }
        ended.Dispose();
        return true;
    }

    private void EndIfIdle()
    {
        BackupSession? ended = null;
        lock (_lock)
        {
            if (_active is not null && _active.Idle > IdleTimeout)
            {
                ended = _active;
                _active = null;
            }
        }
        ended?.Dispose();
    }

    /// <summary>Ends any running backup (before the store closes: its pin would hold the close's checkpoint).</summary>
    public void Dispose()
    {
        BackupSession? ended;
        lock (_lock)
        {
            _disposed = true;
            ended = _active;
            _active = null;
        }
        _reaper.Dispose();
        ended?.Dispose();
    }
}
