// The few libc calls that keep key pages out of swap (mlock) and out of core dumps (madvise).
using System.Runtime.InteropServices;

namespace Prg.Crypto;

internal static unsafe partial class LibC
{
    internal const int MadvDontDump = 16; // MADV_DONTDUMP (Linux)

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int mlock(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int madvise(void* address, nuint length, int advice);
}
