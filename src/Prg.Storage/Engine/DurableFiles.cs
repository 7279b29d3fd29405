// fsync for callers outside the engine that write store files themselves (restoring a backup).
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine;

public static class DurableFiles
{
    /// <summary>fdatasync of an open file; throws IOException naming <paramref name="path"/>.</summary>
    public static void Sync(SafeFileHandle file, string path) => Posix.FDataSync(file, path);

    /// <summary>fsync of a directory, so the names created in it survive a crash.</summary>
    public static void SyncDirectory(string path) => Posix.FsyncDirectory(path);
}
