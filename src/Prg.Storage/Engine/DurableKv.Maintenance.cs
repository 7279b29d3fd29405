// Maintenance: checkpoints (which free the WAL segments behind them) and hybrid-log compaction, on
// demand and from the background loop, serialised by the maintenance gate.
using System.Buffers.Binary;
using System.Diagnostics;
using FASTER.core;
using Prg.Storage.Engine.Io;
using Prg.Storage.Engine.Wal;

namespace Prg.Storage.Engine;

public sealed partial class DurableKv
{
    /// <summary>Takes a checkpoint now and frees the WAL segments behind it.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        await _maintenanceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CheckpointCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _maintenanceGate.Release();
        }
    }

    /// <summary>
    /// Compacts the hybrid log up to its read-only boundary now and checkpoints so the dropped
    /// segments are deleted from disk. Returns the number of log bytes compacted away.
    /// </summary>
    public async Task<long> CompactAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        await _maintenanceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long reclaimed = CompactCore();
            await CheckpointCoreAsync().ConfigureAwait(false);
            return reclaimed;
        }
        finally
        {
            _maintenanceGate.Release();
        }
    }

    private async Task CheckpointCoreAsync()
    {
        long l0;
        lock (_writeLock)
        {
            l0 = _wal.Tail;
            byte[] cookie = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(cookie, l0);
            _store.CommitCookie = cookie;
            long version = _store.CurrentVersion;
            if (!_store.TryInitiateFullCheckpoint(out _, CheckpointType.FoldOver))
            {
                throw new InvalidOperationException("FASTER refused to start a checkpoint because another one is running.");
            }
            // Holding the write lock until the version switch guarantees no batch is half inside the
            // checkpoint: the checkpoint state is exactly "every WAL record before l0 applied".
            var spin = new SpinWait();
            while (_store.CurrentVersion == version)
            {
                _writerSession.Refresh();
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        await _store.CompleteCheckpointAsync().ConfigureAwait(false);

        // Records before l0 are now in the checkpoint: their segments can be recycled (zero-filled and
        // fdatasynced: blocking I/O, so on its own thread rather than a thread-pool one).
        await Task.Factory.StartNew(() => _wal.RetireBefore(l0), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ConfigureAwait(false);
        Interlocked.Exchange(ref _lastCheckpointWal, l0);
        Interlocked.Exchange(ref _lastCheckpointTimestamp, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _checkpoints);
    }

    private long CompactCore()
    {
        long begin = _store.Log.BeginAddress;
        long until = _store.Log.SafeReadOnlyAddress;
        if (until <= begin)
        {
            return 0;
        }

        long newBegin = _maintenanceSession.Compact(until, CompactionType.Lookup);
        Interlocked.Increment(ref _compactions);
        Interlocked.Exchange(ref _hlogBytesAfterCompaction, HybridLogBytes);
        return newBegin - begin;
    }

    private bool ShouldCompact()
    {
        long size = HybridLogBytes;
        return size >= _options.CompactionMinBytes
            && size >= Interlocked.Read(ref _hlogBytesAfterCompaction) * _options.CompactionGrowthFactor;
    }

    private bool ShouldCheckpoint()
    {
        long walBytes = WalBytesSinceCheckpoint;
        if (walBytes <= 0)
        {
            return false;
        }

        if (walBytes >= _options.CheckpointLogBytes)
        {
            return true;
        }

        return Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastCheckpointTimestamp)) >= _options.CheckpointInterval;
    }

    private void StartBackgroundLoops() => _maintenanceTask = Task.Run(() => MaintenanceLoopAsync(_stop.Token));

    private async Task MaintenanceLoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceTick);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                if (_fault is not null)
                {
                    return;
                }

                bool compact = ShouldCompact();
                if (!compact && !ShouldCheckpoint())
                {
                    continue;
                }

                await _maintenanceGate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    if (compact)
                    {
                        CompactCore();
                    }

                    await CheckpointCoreAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    RecordMaintenanceError(e);
                }
                finally
                {
                    _maintenanceGate.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    // Counted, and exported as prg_storage_maintenance_errors_total; the failed operation's own
    // waiters (a commit's WaitDurableAsync) see the exception itself.
    private void RecordMaintenanceError(Exception _) => Interlocked.Increment(ref _maintenanceErrors);
}
