// Stored global counters (sys:stats), absolute values so WAL replay is idempotent.
namespace Prg.Storage.Chat.Records;

internal sealed class StatsRecord : IStoredRecord
{
    public long LiveThreads;
    public long LiveMessages;

    public byte Type => RecordType.Stats;

    public static StatsRecord Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new StatsRecord());

    public void Fields(ref RecordFields f)
    {
        f.Int64(ref LiveThreads);
        f.Int64(ref LiveMessages);
    }
}
