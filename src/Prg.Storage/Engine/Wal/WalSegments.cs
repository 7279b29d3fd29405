// The WAL's segment files: fixed-size, named by index (segment i holds LSNs [i*size, (i+1)*size)),
// always full length and fully written (zero-filled, or recycled from a truncated segment) before the
// log uses them, so an fdatasync of a record never has to commit file-system metadata (block
// allocation, size) the way appending to a growing file does. Creating, recycling and deleting
// happen off the commit path.
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine.Wal;

internal sealed class WalSegments
{
    private const string Suffix = ".wal";
    // Zero-fills are written through (O_SYNC) in chunks this size: one chunk (about 1 ms on this
    // project's disk) is the most a WAL fdatasync ever queues behind. Buffered writes and one final
    // fdatasync put all 16 MB into the device queue at once, ahead of every commit for ~50-100 ms.
    private const int ZeroChunk = 256 << 10;
    private const int SparesKept = 2;
    private readonly object _filesLock = new();

    public WalSegments(string directory, long segmentSize)
    {
        Directory = directory;
        SegmentSize = segmentSize;
    }

    public string Directory { get; }

    public long SegmentSize { get; }

    public string PathOf(long index) => Path.Combine(Directory, index.ToString("D12", CultureInfo.InvariantCulture) + Suffix);

    public bool Exists(long index) => File.Exists(PathOf(index));

    /// <summary>Indices of the segment files present, ascending.</summary>
    public List<long> List()
    {
        var indices = new List<long>();
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*" + Suffix))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long index))
            {
                indices.Add(index);
            }
        }
        indices.Sort();
        return indices;
    }

    public SafeFileHandle OpenForWrite(long index, FileOptions options = FileOptions.None) =>
        File.OpenHandle(PathOf(index), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, options);

    public SafeFileHandle OpenForRead(long index) =>
        File.OpenHandle(PathOf(index), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);

    /// <summary>Makes segment <paramref name="index"/> exist at full length and fully written.</summary>
    public void Prepare(long index)
    {
        lock (_filesLock)
        {
            if (Exists(index))
            {
                return;
            }

            string temp = Path.Combine(Directory, $"{index}.tmp");
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.WriteThrough, preallocationSize: 0))
            {
                File.SetUnixFileMode(handle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                ZeroFill(handle, temp);
            }
            File.Move(temp, PathOf(index));
            Posix.FsyncDirectory(Directory);
        }
    }

    /// <summary>Durably writes a segment-end marker at <paramref name="lsn"/> (recovery's fence).</summary>
    public void WriteSegmentEnd(long lsn)
    {
        long index = lsn / SegmentSize;
        Span<byte> marker = stackalloc byte[WalRecordHeader.Size];
        WalRecordHeader.Write(marker, lsn, lsn, default, segmentEnd: true);
        using SafeFileHandle handle = OpenForWrite(index);
        RandomAccess.Write(handle, marker, lsn % SegmentSize);
        Posix.FDataSync(handle, PathOf(index));
    }

    /// <summary>
    /// Retires the segments below <paramref name="firstKept"/>: up to <see cref="SparesKept"/> are
    /// zeroed in place (deleted data must not linger on disk) and become the next unused indices after
    /// <paramref name="highestInUse"/>, the rest are deleted. Reusing the file keeps its blocks
    /// allocated, so writing it again needs no allocation metadata. Should a crash ever leave records
    /// of a previous lap in a segment, they name LSNs of that lap, which replay rejects.
    /// </summary>
    public void Retire(long firstKept, long highestInUse)
    {
        lock (_filesLock)
        {
            List<long> present = List();
            long nextSpare = Math.Max(highestInUse, present.Count > 0 ? present[^1] : highestInUse) + 1;
            int spares = present.Count(i => i > highestInUse);
            bool changed = false;
            foreach (long index in present)
            {
                if (index >= firstKept)
                {
                    break;
                }

                if (spares < SparesKept)
                {
                    using (SafeFileHandle handle = OpenForWrite(index, FileOptions.WriteThrough))
                    {
                        ZeroFill(handle, PathOf(index));
                    }

                    File.Move(PathOf(index), PathOf(nextSpare++));
                    spares++;
                }
                else
                {
                    File.Delete(PathOf(index));
                }
                changed = true;
            }
            if (changed)
            {
                Posix.FsyncDirectory(Directory);
            }
        }
    }

    private void ZeroFill(SafeFileHandle handle, string path)
    {
        var zeros = new byte[ZeroChunk];
        for (long offset = 0; offset < SegmentSize; offset += ZeroChunk)
        {
            RandomAccess.Write(handle, zeros.AsSpan(0, (int)Math.Min(ZeroChunk, SegmentSize - offset)), offset);
        }

        Posix.FDataSync(handle, path);
    }
}
