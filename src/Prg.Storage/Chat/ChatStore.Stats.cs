// Live counters: one sys:stats:<i> record per thread-lock stripe, written in the same batch as the
// change under that stripe's lock (absolute values, so WAL replay is idempotent), summed in memory.
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    private readonly StatsRecord[] _stripeCounts;
    private long _liveThreads;
    private long _liveMessages;

    /// <summary>Live threads and live messages in the store (O(1)).</summary>
    public StoreStats GetStats() => new(Interlocked.Read(ref _liveThreads), Interlocked.Read(ref _liveMessages));

    private StatsRecord[] LoadStripeCounts(DurableKv kv, int stripes)
    {
        var tx = new ChatTx(kv);
        var counts = new StatsRecord[stripes];
        for (int i = 0; i < stripes; i++)
        {
            counts[i] = tx.Get(KeySpace.StatsStripe(i), StatsRecord.Decode) ?? new StatsRecord();
            _liveThreads += counts[i].LiveThreads;
            _liveMessages += counts[i].LiveMessages;
        }
        return counts;
    }

    /// <summary>Puts the stripe's new counters into the write; null if the write changes no count.</summary>
    private StatsRecord? StageCounts(ThreadWrite write, int stripe)
    {
        if (write.ThreadsDelta == 0 && write.MessagesDelta == 0)
        {
            return null;
        }

        StatsRecord current = _stripeCounts[stripe];
        var next = new StatsRecord
        {
            LiveThreads = current.LiveThreads + write.ThreadsDelta,
            LiveMessages = current.LiveMessages + write.MessagesDelta,
        };
        write.Tx.Put(KeySpace.StatsStripe(stripe), next);
        return next;
    }

    /// <summary>Makes staged counters current once their batch is applied.</summary>
    private void PublishCounts(ThreadWrite write, int stripe, StatsRecord? counts)
    {
        if (counts is null)
        {
            return;
        }

        _stripeCounts[stripe] = counts;
        Interlocked.Add(ref _liveThreads, write.ThreadsDelta);
        Interlocked.Add(ref _liveMessages, write.MessagesDelta);
    }
}
