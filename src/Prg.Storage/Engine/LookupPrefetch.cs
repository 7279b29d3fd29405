// Software prefetch of a run of FASTER lookups a caller is about to make (a page's message keys):
// their hash buckets, then the records the buckets point to.
// Why: on this VM every syscall flushes the TLB (page-table isolation without PCID) and the rest of a
// request evicts the cache, so each of a page's ~50 lookups waited for two page walks and cache misses
// (bucket, then record header), one after another, ≈ 250 ns each. Issued back to back for all keys
// first, those walks and misses overlap (docs/benchmarks.md "Page path, fifth round").
//
// FASTER exposes neither its hash table nor its page table, so both are read once, by reflection on
// literal member names, from FASTER 2.6's internals (FasterBase.state[0] = InternalHashTable {size,
// size_mask, tableRaw, tableAligned}; the SpanByte allocator's `pointers`) and checked against what
// they must satisfy; anything unrecognised turns that stage off. Record addresses are only PREFETCHed
// (never faults); buckets, which FASTER owns for the store's life, are read as plain words, so the
// table pointer is accepted only when it is recognised beyond doubt (Find).
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FASTER.core;

namespace Prg.Storage.Engine;

internal sealed unsafe class LookupPrefetch
{
    public const int MaxBatch = 64; // one index chunk's keys

    private const int BucketBytes = 64; // FASTER's HashBucket: one cache line, 7 entries and an overflow word
    private const int BucketEntries = 7;
    private const int ArrayDataOffset = 16; // a 64-bit array's data after its method table and length
    private const int MaxSectorBytes = 4096; // tableAligned rounds tableRaw's data up to the device sector
    private const long MinPointer = 1L << 20;
    private const int TagShift = 48; // an entry: address bits 0-47, tag 48-61, tentative 62, read cache 63
    private const ulong AddressMask = (1UL << TagShift) - 1;
    private const int HashTagShift = 50; // the tag is the hash's top 14 bits

    private readonly byte* _table;
    private readonly long _mask;
    private readonly LogAccessor<SpanByte, SpanByte> _log;
    private readonly long[]? _pages; // the in-memory log's page frames, indexed by page number mod length
    private readonly int _pageBits;

    private LookupPrefetch(byte* table, long mask, LogAccessor<SpanByte, SpanByte> log, long[]? pages, int pageBits)
    {
        _table = table;
        _mask = mask;
        _log = log;
        _pages = pages;
        _pageBits = pageBits;
    }

    /// <summary>1 when only buckets are prefetched, 2 when the records they point to are too.</summary>
    public int Stages => _pages is null ? 1 : 2;

    /// <summary>The store's hash table (and page table), or null if prefetching is unavailable (no x86 prefetch, unknown layout).</summary>
    public static LookupPrefetch? Find(FasterKV<SpanByte, SpanByte> store, int pageBits)
    {
        if (!Sse.IsSupported || typeof(FasterBase).GetField("state", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(store) is not Array { Length: > 0 } tables)
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
                // The bucket reads below dereference t: it and r must be pointers, never the small
                // numbers beside them (size_bits, and size/size_mask of a small index, can sit within
                // a sector of each other), so both lie above the lowest megabyte no heap is mapped in.
                if (IsPointer(r, size) && IsPointer(t, size) && t >= r + ArrayDataOffset && t < r + ArrayDataOffset + MaxSectorBytes && t % BucketBytes == 0)
                {
                    return new LookupPrefetch((byte*)t, size - 1, store.Log, PageFrames(store), pageBits);
                }
            }
        }
        return null;
    }

    private static bool IsPointer(long value, long size) => value >= MinPointer && value != size && value != size - 1;

    private static long[]? PageFrames(FasterKV<SpanByte, SpanByte> store)
    {
        object? log = typeof(FasterKV<SpanByte, SpanByte>).GetField("hlog", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(store);
        Type? allocator = Type.GetType("FASTER.core.VariableLengthBlittableAllocator`2[[FASTER.core.SpanByte, FASTER.core],[FASTER.core.SpanByte, FASTER.core]], FASTER.core");
        return log is not null && allocator is not null && allocator.IsInstanceOfType(log)
            && allocator.GetField("pointers", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(log) is long[] { Length: > 0 } pages
            && (pages.Length & (pages.Length - 1)) == 0
            ? pages
            : null;
    }

    /// <summary>
    /// Starts loading the buckets of <paramref name="keys"/> (keys of <paramref name="keyLength"/> bytes
    /// each, back to back, at most <see cref="MaxBatch"/>), then the in-memory records they point to.
    /// All hashes first, then the prefetches in a tight loop: a prefetch that misses the TLB holds its
    /// place until its page walk ends, so one per hash (~130 cycles apart) queued the walks again.
    /// </summary>
    public void Prefetch(ReadOnlySpan<byte> keys, int keyLength)
    {
        Span<nint> lines = stackalloc nint[MaxBatch];
        Span<ulong> tags = stackalloc ulong[MaxBatch];
        int count = Math.Min(keys.Length / keyLength, MaxBatch);
        for (int i = 0; i < count; i++)
        {
            long hash = Hash(keys.Slice(i * keyLength, keyLength));
            tags[i] = (ulong)hash >> HashTagShift;
            lines[i] = (nint)BucketOf(hash);
        }

        PrefetchAll(lines[..count]);
        if (_pages is null)
        {
            return;
        }

        long head = _log.HeadAddress;
        for (int i = 0; i < count; i++)
        {
            lines[i] = (nint)RecordOf((ulong*)lines[i], tags[i], head);
        }

        PrefetchAll(lines[..count]);
    }

    /// <summary>The main-table bucket FASTER looks <paramref name="key"/> up in (tests read it to check the layout was recognised).</summary>
    internal byte* BucketOf(ReadOnlySpan<byte> key) => BucketOf(Hash(key));

    /// <summary>Where the newest in-memory record with <paramref name="key"/>'s tag starts, or null (tests compare its key).</summary>
    internal byte* RecordOf(ReadOnlySpan<byte> key)
        => _pages is null ? null : RecordOf((ulong*)BucketOf(key), (ulong)Hash(key) >> HashTagShift, _log.HeadAddress);

    private static long Hash(ReadOnlySpan<byte> key) => KeyHash.Of(key); // the store's key hash

    private byte* BucketOf(long hash) => _table + ((hash & _mask) * BucketBytes);

    // The first main-bucket entry with the tag (not tentative, not read cache) whose record is in memory.
    private byte* RecordOf(ulong* bucket, ulong tag, long head)
    {
        for (int j = 0; j < BucketEntries; j++)
        {
            ulong entry = Volatile.Read(ref bucket[j]);
            if (entry >> TagShift == tag) // also requires tentative and read-cache bits clear
            {
                long address = (long)(entry & AddressMask);
                long[] pages = _pages!;
                return address < head ? null
                    : (byte*)(Volatile.Read(ref pages[(address >> _pageBits) & (pages.Length - 1)]) + (address & ((1L << _pageBits) - 1)));
            }
        }
        return null;
    }

    private static void PrefetchAll(ReadOnlySpan<nint> lines)
    {
        foreach (nint line in lines)
        {
            if (line != 0)
            {
                Sse.Prefetch0((void*)line);
            }
        }
    }
}
