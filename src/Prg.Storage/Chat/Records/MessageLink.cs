// Stored node of a thread's by-updated list (thread:<t>:upd:<mk>): pointers only, plus the updated
// time the list is sorted by, so relinking a message never rewrites (or reads) its body.
namespace Prg.Storage.Chat.Records;

internal sealed class MessageLink : IStoredRecord
{
    public string? Prev;
    public string? Next;
    public long UpdatedTs;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.MessageLink);
        w.WriteString(Prev);
        w.WriteString(Next);
        w.WriteInt64(UpdatedTs);
    }

    public static MessageLink Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.MessageLink);
        var link = new MessageLink { Prev = r.ReadNullableString(), Next = r.ReadNullableString(), UpdatedTs = r.ReadInt64() };
        r.End();
        return link;
    }
}
