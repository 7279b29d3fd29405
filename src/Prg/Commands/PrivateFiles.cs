// Files the server and the key service create hold user data or key material: with umask 077 FASTER's
// files (created with the default mode) come out 0600 and directories 0700, not 0644/0755.
using System.Runtime.InteropServices;

namespace Prg.Commands;

internal static partial class PrivateFiles
{
    /// <summary>Sets the process umask to 077 for everything created from here on.</summary>
    public static void Restrict() => umask(0x3F);

    [LibraryImport("libc", SetLastError = false)]
    private static partial uint umask(uint mask);
}
