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
    /// <summary>Ends of the by-updated list of live messages (MessageLink records).</summary>
    public string? UpdatedHead;
    public string? UpdatedTail;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.ThreadMessages);
        w.WriteBool(Deleted);
        w.WriteInt64(LiveMessages);
        w.WriteInt64(SeqHighWater);
        w.WriteString(UpdatedHead);
        w.WriteString(UpdatedTail);
    }

    public static ThreadMessages Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.ThreadMessages);
        var state = new ThreadMessages
        {
            Deleted = r.ReadBool(),
            LiveMessages = r.ReadInt64(),
            SeqHighWater = r.ReadInt64(),
            UpdatedHead = r.ReadNullableString(),
            UpdatedTail = r.ReadNullableString(),
        };
        r.End();
        return state;
    }
}
