// The process file-creation mask, narrowed around a bind so a Unix socket file is born with its
// final mode: chmod after bind would leave a window in which other local users could connect.
using System.Runtime.InteropServices;

namespace Prg.Http;

internal static partial class ProcessUmask
{
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
