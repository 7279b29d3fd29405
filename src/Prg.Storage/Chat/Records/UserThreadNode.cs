// Stored node (user:<u>:thread:<t>): a live thread's links in its author's two thread lists.
namespace Prg.Storage.Chat.Records;

internal sealed class UserThreadNode : IStoredRecord
{
    public string? CreatedPrev { get; set; }
    public string? CreatedNext { get; set; }
    public string? UpdatedPrev { get; set; }
    public string? UpdatedNext { get; set; }

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.UserThreadNode);
        w.WriteString(CreatedPrev);
        w.WriteString(CreatedNext);
        w.WriteString(UpdatedPrev);
        w.WriteString(UpdatedNext);
    }

    public static UserThreadNode Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.UserThreadNode);
        var node = new UserThreadNode
        {
            CreatedPrev = r.ReadNullableString(),
            CreatedNext = r.ReadNullableString(),
            UpdatedPrev = r.ReadNullableString(),
            UpdatedNext = r.ReadNullableString(),
        };
        r.End();
        return node;
    }
}
