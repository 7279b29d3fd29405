// The permission rule for files that hold secrets (master keys, TLS private keys): owned by the
// user prg runs as and no access at all for group or others (0600, or 0400 as systemd credentials
// are). Checked on the open handle, so the file judged is the file read.
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prg.Crypto;

/// <summary>Checks that a secret file is private to this process's user.</summary>
public static partial class PrivateFile
{
    private const UnixFileMode GroupOrOtherAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const int AtEmptyPath = 0x1000;
    private const uint StatxUid = 0x8;
    private const int StatxSize = 256;
    private const int StatxUidOffset = 20;

    /// <summary>Null if the open file is private; otherwise why not (one line, with the fix).</summary>
    /// <param name="source">How to name the file in the message, e.g. "master key file '/x'".</param>
    public static string? Problem(SafeFileHandle handle, string path, string source)
    {
        ArgumentNullException.ThrowIfNull(handle);
        UnixFileMode mode = File.GetUnixFileMode(handle);
        if ((mode & GroupOrOtherAccess) != 0)
        {
            return $"{source} has mode {FormatMode(mode)} but must not be accessible by group or others (run: chmod 600 '{path}')";
        }

        uint me = geteuid();
        if (TryGetOwner(handle, out uint owner) && owner != me)
        {
            return $"{source} is owned by uid {owner} but prg runs as uid {me}; it must be owned by the user prg runs as (run: chown {me} '{path}')";
        }

        return null;
    }

    internal static string FormatMode(UnixFileMode mode) =>
        "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    private static unsafe bool TryGetOwner(SafeFileHandle handle, out uint owner)
    {
        Span<byte> buffer = stackalloc byte[StatxSize];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            fixed (byte* statx = buffer)
            {
                byte empty = 0;
                if (Statx((int)handle.DangerousGetHandle(), &empty, AtEmptyPath, StatxUid, statx) != 0)
                {
                    owner = 0;
                    return false;
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        owner = MemoryMarshal.Read<uint>(buffer[StatxUidOffset..]);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static unsafe partial int Statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
