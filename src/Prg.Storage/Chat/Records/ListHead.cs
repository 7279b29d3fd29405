// Stored head of a global list (sys:users, sys:threads, the deleted queues): ends and item count.
namespace Prg.Storage.Chat.Records;

internal sealed class ListHead : IStoredRecord
{
    public string? Head;
    public string? Tail;
    public long Count;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.ListHead);
        w.WriteString(Head);
        w.WriteString(Tail);
        w.WriteInt64(Count);
    }

    public static ListHead Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.ListHead);
        var head = new ListHead
        {
            Head = r.ReadNullableString(),
            Tail = r.ReadNullableString(),
            Count = r.ReadInt64(),
        };
        r.End();
        return head;
    }
}
