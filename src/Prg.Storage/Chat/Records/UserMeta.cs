// Stored per-user record (user:<u>:meta): heads/tails of the user's thread lists and live count.
namespace Prg.Storage.Chat.Records;

internal sealed class UserMeta : IStoredRecord
{
    public string? CreatedHead;
    public string? CreatedTail;
    public string? UpdatedHead;
    public string? UpdatedTail;
    public long LiveThreads;

    public byte Type => RecordType.UserMeta;

    public static UserMeta Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new UserMeta());

    public void Fields(ref RecordFields f)
    {
        f.NullableText(ref CreatedHead);
        f.NullableText(ref CreatedTail);
        f.NullableText(ref UpdatedHead);
        f.NullableText(ref UpdatedTail);
        f.Int64(ref LiveThreads);
    }
}
