// Stored per-thread message state (thread:<t>:state): the part of a thread every post changes, kept
// small and apart from the title and key material so a post neither reads nor rewrites those.
namespace Prg.Storage.Chat.Records;

internal sealed class ThreadMessages : IStoredRecord
{
    /// <summary>Mirrors ThreadMeta.Deleted, so a post checks liveness without reading the meta.</summary>
    public bool Deleted;
    public long LiveMessages;
    /// <summary>Highest seq ever written; the created-order index covers seqs 1..SeqHighWater.</summary>
    public long SeqHighWater;
    /// <summary>Ends of the by-updated list of live messages (ListNode records of type MessageLink).</summary>
    public string? UpdatedHead;
    public string? UpdatedTail;

    public byte Type => RecordType.ThreadMessages;

    public static ThreadMessages Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new ThreadMessages());

    public void Fields(ref RecordFields f)
    {
        f.Bool(ref Deleted);
        f.Int64(ref LiveMessages);
        f.Int64(ref SeqHighWater);
        f.NullableText(ref UpdatedHead);
        f.NullableText(ref UpdatedTail);
    }
}
