// The process file-creation mask: narrowed around a bind so a Unix socket file is born with its final
// mode (chmod after bind would leave a window in which other local users could connect), and set once
// at start by the commands whose files hold user data or key material.
using System.Runtime.InteropServices;

namespace Prg.Http;

public static partial class ProcessUmask
{
    /// <summary>
    /// From here on files are created with at most owner access (0600, directories 0700), so FASTER's
    /// files (created with the default mode) do not come out 0644/0755.
    /// </summary>
    public static void RestrictToOwner() => umask(0x3F);

    /// <summary>Runs <paramref name="create"/> with a umask that leaves at most <paramref name="mode"/>.</summary>
    public static void With(UnixFileMode mode, Action create)
    {
        var previous = umask(~(uint)mode & 0x1FF);
        try
        {
            create();
        }
        finally
        {
            umask(previous);
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial uint umask(uint mask);
}
