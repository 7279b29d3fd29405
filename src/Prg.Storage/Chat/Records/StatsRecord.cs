// Stored global counters (sys:stats), absolute values so WAL replay is idempotent.
namespace Prg.Storage.Chat.Records;

internal sealed class StatsRecord : IStoredRecord
{
    public long LiveThreads;
    public long LiveMessages;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.Stats);
        w.WriteInt64(LiveThreads);
        w.WriteInt64(LiveMessages);
    }

    public static StatsRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.Stats);
        var stats = new StatsRecord { LiveThreads = r.ReadInt64(), LiveMessages = r.ReadInt64() };
        r.End();
        return stats;
    }
}
