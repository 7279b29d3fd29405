// Stored thread record (thread:<t>:meta): thread data plus its message lists' heads and counters.
namespace Prg.Storage.Chat.Records;

internal sealed class ThreadMeta : IListHeads
{
    public required string Id;
    public required string Author;
    public long CreatedTs;
    public long UpdatedTs;
    public bool Deleted;
    public long DeletedTs;
    public bool Purging;
    public byte[] Title = [];
    public byte[] Kms = [];
    public long LiveMessages;
    public long SeqHighWater;
    public string? CreatedHead { get; set; }
    public string? CreatedTail { get; set; }
    public string? UpdatedHead { get; set; }
    public string? UpdatedTail { get; set; }

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.ThreadMeta);
        w.WriteString(Id);
        w.WriteString(Author);
        w.WriteInt64(CreatedTs);
        w.WriteInt64(UpdatedTs);
        w.WriteBool(Deleted);
        w.WriteInt64(DeletedTs);
        w.WriteBool(Purging);
        w.WriteBytes(Title);
        w.WriteBytes(Kms);
        w.WriteInt64(LiveMessages);
        w.WriteInt64(SeqHighWater);
        w.WriteString(CreatedHead);
        w.WriteString(CreatedTail);
        w.WriteString(UpdatedHead);
        w.WriteString(UpdatedTail);
    }

    public static ThreadMeta Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.ThreadMeta);
        var meta = new ThreadMeta
        {
            Id = r.ReadString(),
            Author = r.ReadString(),
            CreatedTs = r.ReadInt64(),
            UpdatedTs = r.ReadInt64(),
            Deleted = r.ReadBool(),
            DeletedTs = r.ReadInt64(),
            Purging = r.ReadBool(),
            Title = r.ReadBytes(),
            Kms = r.ReadBytes(),
            LiveMessages = r.ReadInt64(),
            SeqHighWater = r.ReadInt64(),
            CreatedHead = r.ReadNullableString(),
            CreatedTail = r.ReadNullableString(),
            UpdatedHead = r.ReadNullableString(),
            UpdatedTail = r.ReadNullableString(),
        };
        r.End();
        return meta;
    }

    public ThreadRecord ToPublic() => new()
    {
        Id = Id,
        Author = Author,
        CreatedTs = CreatedTs,
        UpdatedTs = UpdatedTs,
        Deleted = Deleted,
        DeletedTs = DeletedTs,
        Title = Title,
        Kms = Kms,
        LiveMessages = LiveMessages,
        MessageSeqHighWater = SeqHighWater,
    };
}
