// Stored head of a global list (sys:users, sys:threads, the deleted queues): ends and item count.
namespace Prg.Storage.Chat.Records;

internal sealed class ListHead : IStoredRecord
{
    public string? Head;
    public string? Tail;
    public long Count;

    public byte Type => RecordType.ListHead;

    public static ListHead Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new ListHead());

    public void Fields(ref RecordFields f)
    {
        f.NullableText(ref Head);
        f.NullableText(ref Tail);
        f.Int64(ref Count);
    }
}
