// Stored thread record (thread:<t>:meta): what a thread is. It changes rarely (create, title, key
// rotation, delete); what every post changes lives in the small ThreadMessages record instead.
namespace Prg.Storage.Chat.Records;

internal sealed class ThreadMeta : IStoredRecord
{
    public required string Id;
    public required string Author;
    public long CreatedTs;
    public long UpdatedTs;
    public bool Deleted;
    public long DeletedTs;
    public bool Purging;
    public byte[] Title = [];
    public byte[] AppData = [];

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
        w.WriteBytes(AppData);
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
            AppData = r.ReadBytes(),
        };
        r.End();
        return meta;
    }

    public ThreadRecord ToPublic(ThreadMessages? state) => new()
    {
        Id = Id,
        Author = Author,
        CreatedTs = CreatedTs,
        UpdatedTs = UpdatedTs,
        Deleted = Deleted,
        DeletedTs = DeletedTs,
        Title = Title,
        AppData = AppData,
        LiveMessages = state?.LiveMessages ?? 0,
        MessageSeqHighWater = state?.SeqHighWater ?? 0,
    };
}
