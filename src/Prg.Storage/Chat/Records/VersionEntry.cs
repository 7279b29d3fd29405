// Stored earlier version of a message (thread:<t>:msg:<mk>:v:<n>).
namespace Prg.Storage.Chat.Records;

internal sealed class VersionEntry : IStoredRecord
{
    public int Version;
    public required string Author;
    public long CreatedTs;
    public long UpdatedTs;
    public byte[] Body = [];

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.MessageVersion);
        w.WriteInt32(Version);
        w.WriteString(Author);
        w.WriteInt64(CreatedTs);
        w.WriteInt64(UpdatedTs);
        w.WriteBytes(Body);
    }

    public static VersionEntry Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.MessageVersion);
        var entry = new VersionEntry
        {
            Version = r.ReadInt32(),
            Author = r.ReadString(),
            CreatedTs = r.ReadInt64(),
            UpdatedTs = r.ReadInt64(),
            Body = r.ReadBytes(),
        };
        r.End();
        return entry;
    }
}
