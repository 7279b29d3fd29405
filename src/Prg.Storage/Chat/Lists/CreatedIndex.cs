// A thread's messages in created (seq) order, read from its index chunks (thread:<t>:idx:<n>).
using System.Diagnostics.CodeAnalysis;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

/// <summary>
/// Reads and updates the chunks through a ChatTx (each chunk decoded once per operation). As a page
/// source it yields the keys of live messages; soft-deleted positions are skipped, and a walk reads at
/// most <c>chunkBudget</c> chunks: past that it stops with a position cursor (a key with timestamp 0:
/// "continue from this seq"), so a page's work stays bounded however many messages were deleted.
/// </summary>
internal sealed class CreatedIndex<T>(ChatTx tx, string threadId, long seqHighWater, int chunkBudget, Func<string, T?> load, Func<T, int> sizeOf,
    PrefetchHint? prefetch = null, int prefetchCount = 0)
    : IPageSource<T> where T : class
{
    private readonly ChatTx _tx = tx;
    private readonly string _threadId = threadId;
    private readonly long _seqHighWater = seqHighWater;
    private readonly int _chunkBudget = Math.Max(1, chunkBudget);
    private readonly PrefetchHint? _prefetch = prefetch;
    private readonly int _prefetchCount = prefetchCount;

    public void CheckReference(string reference, bool isAnchor)
    {
        if (!KeySpace.TryParseMessageKey(reference, out long ts, out long seq) || seq > _seqHighWater)
        {
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
        }

        if (ChunkIndex.Chunk(_tx, _threadId, seq) is { } chunk && chunk.IsLive(seq) && chunk.Ts[IndexChunk.SlotOf(seq)] == ts)
        {
            return;
        }

        if (ts == 0 && !isAnchor)
        {
            return; // a position cursor this index handed out
        }

        throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
    }

    public IPageWalk Walk(string? from, bool towardNewest)
    {
        long start = from is null ? _seqHighWater : KeySpace.SeqOf(from) + (towardNewest ? 1 : -1);
        return new IndexWalk(this, start, towardNewest);
    }

    public T? Load(string id) => load(id);

    public int SizeOf(T item) => sizeOf(item);

    private sealed class IndexWalk(CreatedIndex<T> index, long next, bool up) : IPageWalk
    {
        private long _next = next;
        private long _chunkNumber = -1;
        private IndexChunk? _chunk;
        private int _chunksRead;
        private int _prefetched;

        public string? Cursor { get; private set; }

        public bool TryNext([NotNullWhen(true)] out string? id)
        {
            while (up ? _next <= index._seqHighWater : _next >= 1)
            {
                long seq = _next;
                long n = IndexChunk.ChunkOf(seq);
                if (n != _chunkNumber)
                {
                    if (_chunksRead == index._chunkBudget)
                    {
                        Cursor = KeySpace.MessageKey(0, up ? seq - 1 : seq + 1);
                        break;
                    }
                    _chunk = ChunkIndex.Chunk(index._tx, index._threadId, seq);
                    _chunkNumber = n;
                    _chunksRead++;
                    PrefetchFrom(seq);
                }
                _next += up ? 1 : -1;
                if (_chunk is { } c && c.IsLive(seq))
                {
                    id = KeySpace.MessageKey(c.Ts[IndexChunk.SlotOf(seq)], seq);
                    return true;
                }
            }
            id = null;
            return false;
        }

        // Hints the live messages this walk visits next in the chunk just read (up to the page's count),
        // in one batch, so their lookups' cache and TLB misses overlap instead of queueing.
        private void PrefetchFrom(long seq)
        {
            if (index._prefetch is not { } hint || _chunk is not { } c)
            {
                return;
            }

            Span<long> ts = stackalloc long[IndexChunk.Slots];
            Span<long> seqs = stackalloc long[IndexChunk.Slots];
            int count = 0;
            long chunk = IndexChunk.ChunkOf(seq);
            for (long s = seq; _prefetched < index._prefetchCount && s >= 1 && s <= index._seqHighWater && IndexChunk.ChunkOf(s) == chunk; s += up ? 1 : -1)
            {
                if (c.IsLive(s))
                {
                    ts[count] = c.Ts[IndexChunk.SlotOf(s)];
                    seqs[count++] = s;
                    _prefetched++;
                }
            }

            if (count > 0)
            {
                hint(ts[..count], seqs[..count]);
            }
        }
    }
}

/// <summary>A hint that these messages (ts and seq pairs, at most one chunk's) are read soon.</summary>
internal delegate void PrefetchHint(ReadOnlySpan<long> ts, ReadOnlySpan<long> seqs);
