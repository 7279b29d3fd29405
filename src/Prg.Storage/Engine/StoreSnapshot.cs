// A consistent, pinned view of the store's files for an online backup (DurableKv.OpenSnapshotAsync):
// the latest checkpoint, the hybrid log it needs and the write-ahead log from the checkpoint's
// position up to Point. Recovering these files (the normal open) yields exactly the state after every
// commit before Point. While the snapshot is open no checkpoint, compaction or WAL recycling runs, so
// none of the listed bytes can change or disappear; dispose it promptly.
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine;

public sealed class StoreSnapshot : IDisposable
{
    private readonly string _root;
    private readonly Action _release;
    private int _disposed;

    internal StoreSnapshot(string root, long point, long checkpointLsn, long walSegmentSize, IReadOnlyList<SnapshotFile> files, Action release)
    {
        _root = root;
        Point = point;
        CheckpointLsn = checkpointLsn;
        WalSegmentSize = walSegmentSize;
        Files = files;
        _release = release;
    }

    /// <summary>The WAL position of the snapshot: every commit before it is in, none after it.</summary>
    public long Point { get; }

    /// <summary>The WAL position the snapshot's checkpoint covers (replay starts there).</summary>
    public long CheckpointLsn { get; }

    /// <summary>The size every WAL segment file must have (restore pads the last one with zeros).</summary>
    public long WalSegmentSize { get; }

    /// <summary>The store's on-disk format version.</summary>
    public int FormatVersion => DataDirectory.FormatVersion;

    /// <summary>The files to copy, with paths relative to the store directory.</summary>
    public IReadOnlyList<SnapshotFile> Files { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes of <paramref name="file"/> at <paramref name="offset"/> (within its Length).</summary>
    public int Read(SnapshotFile file, long offset, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(file);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, file.Length);
        int wanted = (int)Math.Min(buffer.Length, file.Length - offset);
        using SafeFileHandle handle = File.OpenHandle(Path.Combine(_root, file.Path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int total = 0;
        while (total < wanted)
        {
            int n = RandomAccess.Read(handle, buffer[total..wanted], offset + total);
            if (n == 0)
            {
                throw new IOException($"{file.Path} ended at {offset + total} bytes, before the {file.Length} the snapshot pinned");
            }

            total += n;
        }
        return total;
    }

    /// <summary>Releases the pin: checkpoints and WAL recycling resume.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _release();
        }
    }
}
