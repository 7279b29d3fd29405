// Stored node (user:<u>:thread:<t>): a live thread's links in its author's two thread lists.
namespace Prg.Storage.Chat.Records;

internal sealed class UserThreadNode : IStoredRecord
{
    public string? CreatedPrev;
    public string? CreatedNext;
    public string? UpdatedPrev;
    public string? UpdatedNext;

    public byte Type => RecordType.UserThreadNode;

    public static UserThreadNode Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new UserThreadNode());

    public void Fields(ref RecordFields f)
    {
        f.NullableText(ref CreatedPrev);
        f.NullableText(ref CreatedNext);
        f.NullableText(ref UpdatedPrev);
        f.NullableText(ref UpdatedNext);
    }
}
