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

    public static MessageEntry Decode(ReadOnlySpan<byte> data) => Decode(data, null);

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte})"/>, the author's string taken from <paramref name="authors"/> when it repeats.</summary>
    public static MessageEntry Decode(ReadOnlySpan<byte> data, Utf8StringCache? authors)
    {
        MessageEntry entry = RecordFields.Read(data, new MessageEntry(), authors);
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
