// Stored earlier version of a message (thread:<t>:msg:<mk>:v:<n>).
namespace Prg.Storage.Chat.Records;

internal sealed class VersionEntry : IStoredRecord
{
    public int Version;
    public string Author = "";
    public long CreatedTs;
    public long UpdatedTs;
    public byte[] Body = [];

    public byte Type => RecordType.MessageVersion;

    public static VersionEntry Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new VersionEntry());

    public void Fields(ref RecordFields f)
    {
        f.Int32(ref Version);
        f.Text(ref Author);
        f.Int64(ref CreatedTs);
        f.Int64(ref UpdatedTs);
        f.Bytes(ref Body);
    }
}
