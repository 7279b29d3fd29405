// The store's data directory: an exclusive lock held for the store's life (two processes on one
// directory would each replay and overwrite the other's log), and the on-disk format version.
//
// Format versions: 1 = FasterLog WAL and the first chat record layout (no FORMAT file); 2 = the
// project's own WAL (Engine/Wal) and the chat layout with links apart from payloads. There is no
// migration: any other version is refused with one line.
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine;

internal sealed class DataDirectory : IDisposable
{
    public const int FormatVersion = 2;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string LockFileName = "LOCK";
    private const string FormatFileName = "FORMAT";

    // The lock file's record lock excludes other processes only (Posix.TryLockExclusive), so directories
    // open in this process are tracked here.
    private static readonly HashSet<string> OpenInThisProcess = new(StringComparer.Ordinal);
    private readonly SafeFileHandle _lock;

    private DataDirectory(string root, SafeFileHandle lockFile)
    {
        Root = root;
        _lock = lockFile;
    }

    public string Root { get; }

    /// <summary>Creates the directory (0700) if needed and takes its lock, or refuses with one line.</summary>
    public static DataDirectory Acquire(string root)
    {
        Directory.CreateDirectory(root, DirectoryMode);
        lock (OpenInThisProcess)
        {
            if (!OpenInThisProcess.Add(root))
            {
                throw new StoreOpenException($"data directory {root} is already open in this process");
            }
        }
        string path = Path.Combine(root, LockFileName);
        SafeFileHandle? handle = null;
        try
        {
            handle = Posix.OpenLockFile(path);
            LockOrRefuse(handle, root, path);
            byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, pid, 0);
            return new DataDirectory(root, handle);
        }
        catch
        {
            handle?.Dispose();
            lock (OpenInThisProcess)
            {
                OpenInThisProcess.Remove(root);
            }

            throw;
        }
    }

    private static void LockOrRefuse(SafeFileHandle handle, string root, string path)
    {
        if (!Posix.TryLockExclusive(handle, path))
        {
            throw new StoreOpenException($"data directory {root} is in use by another process (pid {ReadPid(handle)})");
        }
    }

    /// <summary>
    /// Checks the directory's format version; a directory without one gets <see cref="FormatVersion"/>
    /// after <paramref name="initialize"/> ran, unless it already holds data (then it is format 1).
    /// </summary>
    public void EnsureFormat(Action initialize)
    {
        string path = Path.Combine(Root, FormatFileName);
        if (File.Exists(path))
        {
            string text = File.ReadAllText(path).Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version != FormatVersion)
            {
                throw new StoreOpenException($"data directory {Root} has format version {text} ({path}); this prg reads format {FormatVersion} only and does not migrate");
            }

            return;
        }
        if (HoldsData())
        {
            throw new StoreOpenException($"data directory {Root} holds format version 1 data (written by an earlier prg, no {FormatFileName} file); this prg reads format {FormatVersion} only and does not migrate");
        }

        initialize();
        WriteDurably(path, $"{FormatVersion}\n");
    }

    public void Dispose()
    {
        if (_lock.IsClosed)
        {
            return;
        }

        _lock.Dispose(); // closing the descriptor releases the record lock
        lock (OpenInThisProcess)
        {
            OpenInThisProcess.Remove(Root);
        }
    }

    // Anything but the lock and a WAL directory with only our segment files counts as data.
    private bool HoldsData()
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(Root))
        {
            string name = Path.GetFileName(entry);
            if (name == LockFileName || name == FormatFileName + ".tmp")
            {
                continue;
            }

            if (name == "wal" && Directory.Exists(entry)
                && Directory.EnumerateFileSystemEntries(entry).All(f => f.EndsWith(".wal", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                continue;
            }

            return true;
        }
        return false;
    }

    // temp + fsync + rename + directory fsync: after a crash the file is either absent or complete.
    private void WriteDurably(string path, string content)
    {
        string temp = path + ".tmp";
        using (SafeFileHandle handle = File.OpenHandle(temp, System.IO.FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: 0))
        {
            File.SetUnixFileMode(handle, FileMode);
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(content), 0);
            Posix.FDataSync(handle, temp);
        }
        File.Move(temp, path, overwrite: true);
        Posix.FsyncDirectory(Root);
    }

    private static string ReadPid(SafeFileHandle handle)
    {
        var buffer = new byte[32];
        int n = RandomAccess.Read(handle, buffer, 0);
        string text = Encoding.ASCII.GetString(buffer, 0, n).Trim();
        return text.Length > 0 && text.All(char.IsAsciiDigit) ? text : "unknown";
    }
}
