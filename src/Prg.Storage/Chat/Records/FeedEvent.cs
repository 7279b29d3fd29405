// Stored feed event (thread:<t>:ev:<position>): kind, time and the message it is about, if any.
namespace Prg.Storage.Chat.Records;

internal sealed class FeedEvent : IStoredRecord
{
    public ChatEventKind Kind;
    public long Ts;
    public string? MessageKey;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.FeedEvent);
        w.WriteByte((byte)Kind);
        w.WriteInt64(Ts);
        w.WriteString(MessageKey);
    }

    public static FeedEvent Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.FeedEvent);
        var e = new FeedEvent { Kind = (ChatEventKind)r.ReadByte(), Ts = r.ReadInt64(), MessageKey = r.ReadNullableString() };
        r.End();
        return e;
    }
}
