// Stored thread record (thread:<t>:meta): what a thread is. It changes rarely (create, title, key
// rotation, delete); what every post changes lives in the small ThreadMessages record instead.
namespace Prg.Storage.Chat.Records;

internal sealed class ThreadMeta : IStoredRecord
{
    public string Id = "";
    public string Author = "";
    public long CreatedTs;
    public long UpdatedTs;
    public bool Deleted;
    public long DeletedTs;
    public bool Purging;
    public byte[] Title = [];
    public byte[] AppData = [];

    public byte Type => RecordType.ThreadMeta;

    public static ThreadMeta Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new ThreadMeta());

    public void Fields(ref RecordFields f)
    {
        f.Text(ref Id);
        f.Text(ref Author);
        f.Int64(ref CreatedTs);
        f.Int64(ref UpdatedTs);
        f.Bool(ref Deleted);
        f.Int64(ref DeletedTs);
        f.Bool(ref Purging);
        f.Bytes(ref Title);
        f.Bytes(ref AppData);
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
