// Stored node of a linked list kept in the KV: its neighbours and the time the list is ordered by.
// The global lists (users, thread registry, deleted queues) store it as a ListNode record, Ts being
// the delete time in the retention queues and 0 elsewhere; a thread's by-updated message list as a
// MessageLink record (thread:<t>:upd:<mk>), Ts being the message's updated time: pointers only, so
// relinking a message never rewrites (or reads) its body.
namespace Prg.Storage.Chat.Records;

internal sealed class ListNode(byte type = RecordType.ListNode) : IStoredRecord
{
    public string? Prev;
    public string? Next;
    public long Ts;

    public byte Type => type;

    public static ListNode Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new ListNode());

    public static ListNode DecodeMessageLink(ReadOnlySpan<byte> data) => RecordFields.Read(data, new ListNode(RecordType.MessageLink));

    public void Fields(ref RecordFields f)
    {
        f.NullableText(ref Prev);
        f.NullableText(ref Next);
        f.Int64(ref Ts);
    }
}
