// Online backup support: a pinned, consistent snapshot of the store's files while writes continue.
//
// Under the maintenance gate (which every checkpoint, compaction and WAL recycling takes) a checkpoint
// is taken, then the WAL tail is read under the write lock as the snapshot's point P and waited durable.
// The files are: FORMAT, what FASTER keeps under kv/ (the latest checkpoint and the hybrid log: the
// part the checkpoint covers is read-only and already flushed, later bytes are ignored by recovery the
// same way a crash's are), and the WAL segments from the checkpoint's position to P, the last one cut
// at P (restore zero-fills it to full length, so replay ends exactly at P). The gate is held until the
// snapshot is disposed: nothing listed is rewritten or deleted meanwhile. Relies on: CheckpointCoreAsync
// recording its WAL position in _lastCheckpointWal, WAL segment naming (WalSegments), and the write lock
// covering append + apply.
namespace Prg.Storage.Engine;

public sealed partial class DurableKv
{
    /// <summary>
    /// Checkpoints and pins a consistent snapshot of the store's files. <paramref name="atPoint"/> runs
    /// under the write lock at the snapshot's point (reads there see exactly the snapshot's state).
    /// Checkpoints are held off until the snapshot is disposed.
    /// </summary>
    public async Task<StoreSnapshot> OpenSnapshotAsync(Action? atPoint = null, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        await _maintenanceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CheckpointCoreAsync().ConfigureAwait(false);
            long checkpointLsn = Interlocked.Read(ref _lastCheckpointWal);
            long point;
            lock (_writeLock)
            {
                ThrowIfUnusable();
                point = _wal.Tail;
                atPoint?.Invoke();
            }
            await _wal.WaitDurableAsync(point, cancellationToken).ConfigureAwait(false);
            var snapshot = new StoreSnapshot(_directory.Root, point, checkpointLsn, _segments.SegmentSize,
                ListSnapshotFiles(checkpointLsn, point), () => _maintenanceGate.Release());
            return snapshot;
        }
        catch
        {
            _maintenanceGate.Release();
            throw;
        }
    }

    private List<SnapshotFile> ListSnapshotFiles(long checkpointLsn, long point)
    {
        string root = _directory.Root;
        var files = new List<SnapshotFile> { Listed(Path.Combine(root, "FORMAT")) };
        // FASTER deletes superseded checkpoints lazily: only the latest one (just taken) is needed.
        var latest = new HashSet<string>(StringComparer.Ordinal)
        {
            _checkpointManager.GetLogCheckpointTokens().First().ToString(),
            _checkpointManager.GetIndexCheckpointTokens().First().ToString(),
        };
        foreach (string path in System.IO.Directory.EnumerateFiles(Path.Combine(root, "kv"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(_checkpointDir, path);
            bool checkpointFile = !relative.StartsWith("..", StringComparison.Ordinal);
            string[] parts = relative.Split(Path.DirectorySeparatorChar);
            if (!checkpointFile || (parts.Length >= 3 && latest.Contains(parts[1])))
            {
                files.Add(Listed(path));
            }
        }
        long size = _segments.SegmentSize;
        for (long segment = checkpointLsn / size; segment <= point / size; segment++)
        {
            long length = segment == point / size ? point % size : size;
            files.Add(new SnapshotFile(Relative(_segments.PathOf(segment)), length, size));
        }
        return files;

        SnapshotFile Listed(string path) => new(Relative(path), new FileInfo(path).Length, 0);
        string Relative(string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
    }
}
