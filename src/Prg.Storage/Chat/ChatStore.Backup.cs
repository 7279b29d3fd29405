// Online backup: the store's pinned snapshot together with the live counts at exactly its point.
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>
    /// Pins a consistent snapshot of the store's files (see <see cref="DurableKv.OpenSnapshotAsync"/>)
    /// and returns it with the live counts it holds. Dispose the snapshot promptly: checkpoints wait.
    /// </summary>
    public async Task<(StoreSnapshot Snapshot, StoreStats Stats)> OpenSnapshotAsync(CancellationToken cancellationToken = default)
    {
        StoreStats stats = default;
        // The stored per-stripe counters, read under the KV's write lock, are exactly the point's.
        StoreSnapshot snapshot = await _kv.OpenSnapshotAsync(() => stats = ReadStoredStats(), cancellationToken).ConfigureAwait(false);
        return (snapshot, stats);
    }

    private StoreStats ReadStoredStats()
    {
        var tx = new ChatTx(_kv);
        long threads = 0, messages = 0;
        for (int i = 0; i < _options.LockStripes; i++)
        {
            StatsRecord? counts = tx.Get(KeySpace.StatsStripe(i), StatsRecord.Decode);
            threads += counts?.LiveThreads ?? 0;
            messages += counts?.LiveMessages ?? 0;
        }
        return new StoreStats(threads, messages);
    }
}
