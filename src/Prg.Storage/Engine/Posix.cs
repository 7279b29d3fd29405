// The few libc calls .NET does not expose: fdatasync (flush data without a metadata commit when the
// file's size and blocks are unchanged), fsync of a directory (to make a rename or create durable),
// and a POSIX record lock (the data directory lock).
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine;

internal static partial class Posix
{
    private const int ORdOnly = 0;
    private const int ORdWr = 2;
    private const int OCreat = 0x40;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;
    private const int FSetLock = 6;
    private const short WriteLock = 1;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EAccess = 13;

    /// <summary>Flushes the file's data (and only the metadata needed to read it back).</summary>
    public static void FDataSync(SafeFileHandle file, string path)
    {
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            while (fdatasync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EIntr)
                {
                    throw new IOException($"fdatasync of {path} failed (errno {errno})");
                }
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Makes the directory's entries (creates, renames, unlinks) durable.</summary>
    public static void FsyncDirectory(string path)
    {
        int fd = open(path, ORdOnly | ODirectory | OCloexec, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            while (fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EIntr)
                {
                    throw new IOException($"fsync of directory {path} failed (errno {errno})");
                }
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>
    /// Opens (creating, mode 0600) a lock file directly: .NET's own open would take a shared flock
    /// itself and fail with a generic sharing error while another process holds the lock.
    /// </summary>
    public static SafeFileHandle OpenLockFile(string path)
    {
        int fd = open(path, ORdWr | OCreat | OCloexec, 0x180);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} (errno {Marshal.GetLastPInvokeError()})");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Takes an exclusive, non-blocking POSIX record lock on the whole of <paramref name="file"/>; false if
    /// another process has it. Unlike flock, the lock belongs to this process and is not inherited by the
    /// children it starts (a child between fork and exec would otherwise keep a closed store's lock), and
    /// it does not exclude this process itself: DataDirectory refuses a second open in-process.
    /// </summary>
    public static bool TryLockExclusive(SafeFileHandle file, string path)
    {
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            var whole = new RecordLock { Type = WriteLock };
            while (fcntl(fd, FSetLock, ref whole) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EAgain or EAccess)
                {
                    return false;
                }

                if (errno != EIntr)
                {
                    throw new IOException($"cannot lock {path} (errno {errno})");
                }
            }
            return true;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, ref RecordLock recordLock);

    // struct flock on 64-bit Linux: l_type, l_whence, l_start, l_len, l_pid (start 0, length 0 = the whole file).
    [StructLayout(LayoutKind.Sequential)]
    private struct RecordLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
