// Software prefetch of FASTER hash buckets for keys a caller is about to read (a page's message keys).
// Why: on this VM every syscall flushes the TLB (page-table isolation without PCID) and the rest of a
// request evicts the cache, so each of a page's ~50 lookups first waited for a page walk and a cache
// miss on its bucket — one after another, ≈ 250 ns each. Prefetching all buckets first lets the CPU
// overlap those walks and misses (docs/benchmarks.md "Page path, fifth round").
//
// FASTER does not expose its table, so the base pointer is read once from its internal
// InternalHashTable (state[0]: size, size_mask, tableRaw, tableAligned) and checked against what the
// fields must satisfy; if the layout is not recognised, prefetching is off. Only PREFETCH instructions
// ever use the address (they never fault), so a wrong address costs time, never correctness.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FASTER.core;

namespace Prg.Storage.Engine;

internal sealed unsafe class BucketPrefetch
{
    private const int BucketBytes = 64; // FASTER's HashBucket: one cache line
    private const int ArrayDataOffset = 16; // a 64-bit array's data after its method table and length
    private const int MaxSectorBytes = 4096; // tableAligned rounds tableRaw's data up to the device sector
    public const int MaxBatch = 64; // one index chunk's keys

    private readonly byte* _table;
    private readonly long _mask;

    private BucketPrefetch(byte* table, long mask)
    {
        _table = table;
        _mask = mask;
    }

    /// <summary>The store's main hash table, or null if prefetching is unavailable (no x86 prefetch, unknown layout).</summary>
    public static BucketPrefetch? Find(FasterKV<SpanByte, SpanByte> store)
    {
        if (!Sse.IsSupported || HashTables(store) is not Array { Length: > 0 } tables)
        {
            return null;
        }

        // InternalHashTable's fields are 8 bytes each (size_bits padded): five slots, in an order the
        // runtime chooses. Recognise them by value: size, size_mask, a reference r to the bucket array
        // and the aligned pointer t with r + 16 <= t < r + 16 + sector, t on a cache line.
        long size = store.IndexSize;
        ReadOnlySpan<long> slots = MemoryMarshal.CreateReadOnlySpan(
            ref Unsafe.As<byte, long>(ref MemoryMarshal.GetArrayDataReference(tables)), 5);
        if (size <= 0 || !slots.Contains(size) || !slots.Contains(size - 1))
        {
            return null;
        }

        foreach (long r in slots)
        {
            foreach (long t in slots)
            {
                long data = r + ArrayDataOffset;
                if (r != 0 && t >= data && t < data + MaxSectorBytes && t % BucketBytes == 0)
                {
                    return new BucketPrefetch((byte*)t, size - 1);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Starts loading the buckets of <paramref name="keys"/> (keys of <paramref name="keyLength"/> bytes
    /// each, back to back). All hashes first, then the prefetches in a tight loop: a prefetch that
    /// misses the TLB holds its place until its page walk ends, so one per hash (~130 cycles apart)
    /// queued the walks one after another again; back to back they overlap.
    /// </summary>
    public void Prefetch(ReadOnlySpan<byte> keys, int keyLength)
    {
        Span<nint> buckets = stackalloc nint[MaxBatch];
        int count = Math.Min(keys.Length / keyLength, MaxBatch);
        for (int i = 0; i < count; i++)
        {
            buckets[i] = (nint)BucketOf(keys.Slice(i * keyLength, keyLength));
        }

        foreach (nint bucket in buckets[..count])
        {
            Sse.Prefetch0((void*)bucket);
        }
    }

    /// <summary>The main-table bucket FASTER looks <paramref name="key"/> up in (tests read it to check the layout was recognised).</summary>
    internal byte* BucketOf(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            return _table + ((Utility.HashBytes(k, key.Length) & _mask) * BucketBytes);
        }
    }

    // Reflection with a literal name (the trimmer keeps the field); UnsafeAccessor cannot name a field
    // of an inaccessible type (.NET 10: "Invalid usage of UnsafeAccessorTypeAttribute"). Once per open.
    private static object? HashTables(FasterBase store)
        => typeof(FasterBase).GetField("state", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(store);
}
