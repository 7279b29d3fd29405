// Stored chunk of a thread's created-order index (thread:<t>:idx:<n>): for seqs [n*64, n*64+64) the
// message timestamp (so the key <ts>-<seq> needs no message read) and two bit masks. A page in
// created order is one chunk read per 64 positions plus the message reads; a post rewrites one
// fixed-size chunk instead of the previous message.
using System.Numerics;

namespace Prg.Storage.Chat.Records;

internal sealed class IndexChunk : IStoredRecord
{
    public const int Slots = 64;

    /// <summary>Bit i: seq n*64+i is a live message.</summary>
    public ulong Live;

    /// <summary>Bit i: its message record exists (live or soft-deleted; cleared when purged).</summary>
    public ulong Present;

    public readonly long[] Ts = new long[Slots];

    public static long ChunkOf(long seq) => seq / Slots;

    public static int SlotOf(long seq) => (int)(seq % Slots);

    public bool IsLive(long seq) => (Live & (1UL << SlotOf(seq))) != 0;

    public bool IsPresent(long seq) => (Present & (1UL << SlotOf(seq))) != 0;

    public bool IsEmpty => Present == 0;

    public int PresentCount => BitOperations.PopCount(Present);

    public void SetLive(long seq, long ts)
    {
        int slot = SlotOf(seq);
        Ts[slot] = ts;
        Live |= 1UL << slot;
        Present |= 1UL << slot;
    }

    public void SetDeleted(long seq) => Live &= ~(1UL << SlotOf(seq));

    public void Clear(long seq)
    {
        ulong bit = 1UL << SlotOf(seq);
        Live &= ~bit;
        Present &= ~bit;
    }

    public byte Type => RecordType.IndexChunk;

    public static IndexChunk Decode(ReadOnlySpan<byte> data)
    {
        IndexChunk chunk = RecordFields.Read(data, new IndexChunk());
        if ((chunk.Live & ~chunk.Present) != 0)
        {
            throw new InvalidDataException("Index chunk marks a message live that is not present.");
        }

        return chunk;
    }

    public void Fields(ref RecordFields f)
    {
        f.Bits(ref Live);
        f.Bits(ref Present);
        for (int i = 0; i < Slots; i++)
        {
            f.Int64(ref Ts[i]);
        }
    }
}
