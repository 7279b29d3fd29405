// Stored message record (thread:<t>:msg:<mk>): current version plus its links in both message lists.
namespace Prg.Storage.Chat.Records;

internal sealed class MessageEntry : IListLinks
{
    public required string Key;
    public long Seq;
    public required string Author;
    public long CreatedTs;
    public long UpdatedTs;
    public bool Deleted;
    public long DeletedTs;
    public int Version;
    public byte[] Body = [];
    public string? CreatedPrev { get; set; }
    public string? CreatedNext { get; set; }
    public string? UpdatedPrev { get; set; }
    public string? UpdatedNext { get; set; }

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.Message);
        w.WriteString(Key);
        w.WriteInt64(Seq);
        w.WriteString(Author);
        w.WriteInt64(CreatedTs);
        w.WriteInt64(UpdatedTs);
        w.WriteBool(Deleted);
        w.WriteInt64(DeletedTs);
        w.WriteInt32(Version);
        w.WriteBytes(Body);
        w.WriteString(CreatedPrev);
        w.WriteString(CreatedNext);
        w.WriteString(UpdatedPrev);
        w.WriteString(UpdatedNext);
    }

    public static MessageEntry Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.Message);
        var entry = new MessageEntry
        {
            Key = r.ReadString(),
            Seq = r.ReadInt64(),
            Author = r.ReadString(),
            CreatedTs = r.ReadInt64(),
            UpdatedTs = r.ReadInt64(),
            Deleted = r.ReadBool(),
            DeletedTs = r.ReadInt64(),
            Version = r.ReadInt32(),
            Body = r.ReadBytes(),
            CreatedPrev = r.ReadNullableString(),
            CreatedNext = r.ReadNullableString(),
            UpdatedPrev = r.ReadNullableString(),
            UpdatedNext = r.ReadNullableString(),
        };
        r.End();
        return entry;
    }

    public MessageRecord ToPublic(string threadId) => new()
    {
        ThreadId = threadId,
        Key = Key,
        Seq = Seq,
        Author = Author,
        CreatedTs = CreatedTs,
        UpdatedTs = UpdatedTs,
        Deleted = Deleted,
        DeletedTs = DeletedTs,
        Version = Version,
        Body = Body,
    };
}
