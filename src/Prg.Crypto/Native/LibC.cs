// The libc memory calls that keep key material out of swap (mlock), core dumps (MADV_DONTDUMP) and
// forked children (MADV_WIPEONFORK): the one place they are declared.
using System.Runtime.InteropServices;

namespace Prg.Crypto;

internal static unsafe partial class LibC
{
    internal const int ProtRead = 1;
    internal const int ProtWrite = 2;
    internal const int MapPrivate = 0x02;
    internal const int MapAnonymous = 0x20;
    internal const int MadvDontDump = 16; // MADV_DONTDUMP (Linux)
    internal const int MadvWipeOnFork = 18; // MADV_WIPEONFORK (Linux)

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int munmap(nint address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int mlock(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int munlock(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int madvise(void* address, nuint length, int advice);
}
