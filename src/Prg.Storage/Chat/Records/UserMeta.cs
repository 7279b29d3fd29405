// Stored per-user record (user:<u>:meta): heads/tails of the user's thread lists and live count.
namespace Prg.Storage.Chat.Records;

internal sealed class UserMeta : IStoredRecord
{
    public string? CreatedHead { get; set; }
    public string? CreatedTail { get; set; }
    public string? UpdatedHead { get; set; }
    public string? UpdatedTail { get; set; }
    public long LiveThreads;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.UserMeta);
        w.WriteString(CreatedHead);
        w.WriteString(CreatedTail);
        w.WriteString(UpdatedHead);
        w.WriteString(UpdatedTail);
        w.WriteInt64(LiveThreads);
    }

    public static UserMeta Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.UserMeta);
        var meta = new UserMeta
        {
            CreatedHead = r.ReadNullableString(),
            CreatedTail = r.ReadNullableString(),
            UpdatedHead = r.ReadNullableString(),
            UpdatedTail = r.ReadNullableString(),
            LiveThreads = r.ReadInt64(),
        };
        r.End();
        return meta;
    }
}
