// Stored feed event (thread:<t>:ev:<n> or user:<u>:ev:<n>): kind, time, and the thread (inbox events
// only) and message it is about, if any.
namespace Prg.Storage.Chat.Records;

internal sealed class FeedEvent : IStoredRecord
{
    public ChatEventKind Kind;
    public long Ts;
    public string? ThreadId;
    public string? MessageKey;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.FeedEvent);
        w.WriteByte((byte)Kind);
        w.WriteInt64(Ts);
        w.WriteString(ThreadId);
        w.WriteString(MessageKey);
    }

    public static FeedEvent Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.FeedEvent);
        var e = new FeedEvent { Kind = (ChatEventKind)r.ReadByte(), Ts = r.ReadInt64(), ThreadId = r.ReadNullableString(), MessageKey = r.ReadNullableString() };
        r.End();
        return e;
    }
}
