// Stored node of a global list; Ts is the delete time for the retention queues (0 elsewhere).
namespace Prg.Storage.Chat.Records;

internal sealed class ListNode : IStoredRecord
{
    public string? Prev;
    public string? Next;
    public long Ts;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.ListNode);
        w.WriteString(Prev);
        w.WriteString(Next);
        w.WriteInt64(Ts);
    }

    public static ListNode Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.ListNode);
        var node = new ListNode
        {
            Prev = r.ReadNullableString(),
            Next = r.ReadNullableString(),
            Ts = r.ReadInt64(),
        };
        r.End();
        return node;
    }
}
