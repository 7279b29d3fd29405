// Stored message record (thread:<t>:msg:<mk>): the current version only, no list links. The key and
// seq are not stored: they are the record's own key.
namespace Prg.Storage.Chat.Records;

internal sealed class MessageEntry : IStoredRecord
{
    public required string Author;
    public long CreatedTs;
    public long UpdatedTs;
    public bool Deleted;
    public long DeletedTs;
    /// <summary>The current version; versions OldestVersion..Version-1 are VersionEntry records.</summary>
    public int Version;
    /// <summary>The oldest version still stored (older ones were dropped by the cap or by a purge in progress).</summary>
    public int OldestVersion = 1;
    public byte[] Body = [];

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.Message);
        w.WriteString(Author);
        w.WriteInt64(CreatedTs);
        w.WriteInt64(UpdatedTs);
        w.WriteBool(Deleted);
        w.WriteInt64(DeletedTs);
        w.WriteInt32(Version);
        w.WriteInt32(OldestVersion);
        w.WriteBytes(Body);
    }

    public static MessageEntry Decode(ReadOnlySpan<byte> data) => Decode(data, null);

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte})"/>, the author's string taken from <paramref name="authors"/> when it repeats.</summary>
    public static MessageEntry Decode(ReadOnlySpan<byte> data, Utf8StringCache? authors)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.Message);
        var entry = new MessageEntry
        {
            Author = authors is null ? r.ReadString() : authors.Get(r.ReadStringBytes()),
            CreatedTs = r.ReadInt64(),
            UpdatedTs = r.ReadInt64(),
            Deleted = r.ReadBool(),
            DeletedTs = r.ReadInt64(),
            Version = r.ReadInt32(),
            OldestVersion = r.ReadInt32(),
            Body = r.ReadBytes(),
        };
        r.End();
        if (entry.OldestVersion < 1 || entry.OldestVersion > entry.Version)
        {
            throw new InvalidDataException("Message record has an invalid version range.");
        }

        return entry;
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
