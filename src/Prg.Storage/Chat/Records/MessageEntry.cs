// Stored message record (thread:<t>:msg:<mk>): the current version only, no list links. The key and
// seq are not stored: they are the record's own key.
namespace Prg.Storage.Chat.Records;

internal sealed class MessageEntry : IStoredRecord
{
    public string Author = "";
    public long CreatedTs;
    public long UpdatedTs;
    public bool Deleted;
    public long DeletedTs;
    /// <summary>The current version; versions OldestVersion..Version-1 are VersionEntry records.</summary>
    public int Version;
    /// <summary>The oldest version still stored (older ones were dropped by the cap or by a purge in progress).</summary>
    public int OldestVersion = 1;
    public byte[] Body = [];

    public byte Type => RecordType.Message;

    public static MessageEntry Decode(ReadOnlySpan<byte> data)
    {
        MessageEntry entry = RecordFields.Read(data, new MessageEntry());
        if (entry.OldestVersion < 1 || entry.OldestVersion > entry.Version)
        {
            throw new InvalidDataException("Message record has an invalid version range.");
        }

        return entry;
    }

    public void Fields(ref RecordFields f)
    {
        f.Text(ref Author);
        f.Int64(ref CreatedTs);
        f.Int64(ref UpdatedTs);
        f.Bool(ref Deleted);
        f.Int64(ref DeletedTs);
        f.Int32(ref Version);
        f.Int32(ref OldestVersion);
        f.Bytes(ref Body);
    }

    /// <summary>
    /// A stored message that is live (null if soft-deleted) decoded straight from
    /// <paramref name="data"/> into a new row of <paramref name="page"/>, its body into the page's arena,
    /// with no MessageEntry in between (a page decodes 50 of these) and the author's string reused
    /// while it repeats. It reads the fields in <see cref="Fields"/>' order (RecordLayoutTests hold the
    /// two together).
    /// </summary>
    public static MessageRow? DecodeLive(ReadOnlySpan<byte> data, MessagePage page, string key, long seq)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.Message);
        string author = page.Authors.Get(r.ReadStringBytes());
        long createdTs = r.ReadInt64();
        long updatedTs = r.ReadInt64();
        if (r.ReadBool())
        {
            return null;
        }

        long deletedTs = r.ReadInt64();
        int version = r.ReadInt32();
        int oldestVersion = r.ReadInt32();
        ReadOnlySpan<byte> body = r.ReadStringBytes(); // a bytes field is laid out as a string field is
        r.End();
        if (oldestVersion < 1 || oldestVersion > version)
        {
            throw new InvalidDataException("Message record has an invalid version range.");
        }

        MessageRow row = page.AddRow(body);
        row.Key = key;
        row.Seq = seq;
        row.Author = author;
        row.CreatedTs = createdTs;
        row.UpdatedTs = updatedTs;
        row.DeletedTs = deletedTs;
        row.Version = version;
        return row;
    }

    public MessageRecord ToPublic(string threadId, string key) => new()
    {
        ThreadId = threadId,
        Key = key,
        Seq = KeySpace.SeqOf(key),
        Author = Author,
        CreatedTs = CreatedTs,
        UpdatedTs = UpdatedTs,
        Deleted = Deleted,
        DeletedTs = DeletedTs,
        Version = Version,
        Body = Body,
    };
}
