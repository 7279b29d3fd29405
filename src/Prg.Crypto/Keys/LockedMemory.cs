// Native memory for secrets: its own anonymous mapping (page-aligned, never moved by the GC), locked
// in RAM with mlock so it is never swapped out, excluded from core dumps (MADV_DONTDUMP) and from
// forked children (MADV_WIPEONFORK), zeroed and unmapped on release.
using System.Runtime.InteropServices;

namespace Prg.Crypto;

/// <summary>Allocates <see cref="LockedBuffer"/>s and remembers whether locking was refused.</summary>
public static unsafe class LockedMemory
{
    private static int s_lockFailures;

    /// <summary>
    /// How many allocations could not be locked (mlock refused: RLIMIT_MEMLOCK too low or no
    /// CAP_IPC_LOCK). Those buffers still work and are still kept out of core dumps.
    /// </summary>
    public static int LockFailures => Volatile.Read(ref s_lockFailures);

    /// <summary>One line for the start-up log: whether key memory is locked.</summary>
    public static string Describe() => LockFailures == 0
        ? "key memory is locked in RAM (mlock) and excluded from core dumps"
        : $"key memory could not be locked in RAM ({LockFailures} buffer(s); raise LimitMEMLOCK / ulimit -l, or grant CAP_IPC_LOCK); keys may be swapped out but are still excluded from core dumps";

    /// <summary>A zeroed locked buffer of <paramref name="length"/> bytes.</summary>
    /// <exception cref="OutOfMemoryException">The mapping could not be created.</exception>
    public static LockedBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        int page = Environment.SystemPageSize;
        nuint size = (nuint)((length + page - 1) / page * page);
        nint address = LibC.mmap(0, size, LibC.ProtRead | LibC.ProtWrite, LibC.MapPrivate | LibC.MapAnonymous, -1, 0);
        if (address == -1)
        {
            throw new OutOfMemoryException($"cannot map {size} bytes for key memory (errno {Marshal.GetLastPInvokeError()})");
        }

        // Both are advice; a kernel without them still gives working (if less protected) memory.
        _ = LibC.madvise((void*)address, size, LibC.MadvDontDump);
        _ = LibC.madvise((void*)address, size, LibC.MadvWipeOnFork);
        bool locked = LibC.mlock((void*)address, size) == 0;
        if (!locked)
        {
            Interlocked.Increment(ref s_lockFailures);
        }

        return new LockedBuffer(address, size, length, locked);
    }

    internal static void Release(nint address, nuint size, bool locked)
    {
        if (locked)
        {
            _ = LibC.munlock((void*)address, size);
        }

        _ = LibC.munmap(address, size);
    }
}
