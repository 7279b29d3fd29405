// The chat keyspace (threads, messages, versions, per-user and global lists, counters, retention
// queues) on top of DurableKv. Key formats: see KeySpace. One partial file per family: Threads,
// Messages, Versions, Users, Purge, Stats; this one holds the write skeleton they all share.
//
// Concurrency: every record has one owning lock (documented per key in KeySpace): striped thread locks,
// striped user locks, and one global lock for the store-wide lists. A write takes user → thread →
// global (always in that order), builds its whole change in a ThreadWrite, applies it as ONE DurableKv
// batch while still holding the locks (so the next reader sees it), releases them, and only then
// awaits durability: concurrent posts to one thread share fsyncs instead of queueing on them. The live
// counters are stored per thread-lock stripe, so only writes to the store-wide lists (thread create and
// delete, message delete, purge) take the global lock; a post never does.
//
// Listings never scan: created-order message pages read the thread's index chunks, every other list is
// doubly linked through pointer records, and a page is O(limit) point reads (see Pager).
using System.Collections.Concurrent;
using System.Text;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

/// <summary>Durable chat store: threads, messages with versions, ordered listings, retention.</summary>
public sealed partial class ChatStore : IAsyncDisposable, IDisposable
{
    private const int PooledBatchMaxBytes = 1 << 20;

    private readonly DurableKv _kv;
    private readonly ChatStoreOptions _options;
    private readonly object[] _threadLocks;
    private readonly object[] _userLocks;
    private readonly object _globalLock = new();
    private readonly ConcurrentBag<WriteBatch> _batches = new();
    private readonly MessagePagePool _pages = new();

    private ChatStore(DurableKv kv, ChatStoreOptions options)
    {
        _kv = kv;
        _options = options;
        _threadLocks = NewLocks(options.LockStripes);
        _userLocks = NewLocks(options.LockStripes);
        _stripeCounts = LoadStripeCounts(kv, options.LockStripes);
    }

    /// <summary>Opens (creating or recovering) the store.</summary>
    public static ChatStore Open(ChatStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LockStripes < 1 || (options.LockStripes & (options.LockStripes - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LockStripes, "LockStripes must be a power of two.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxVersionsPerMessage, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PageScanChunks, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FeedRetention, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.FeedRetention, MaxFeedRetention, nameof(options));
        DurableKv kv = DurableKv.Open(options.Kv);
        try
        {
            return new ChatStore(kv, options);
        }
        catch
        {
            kv.Dispose();
            throw;
        }
    }

    /// <summary>The underlying key-value store, for the storage tests and load tools only.</summary>
    internal DurableKv Kv => _kv;

    /// <summary>The storage engine's counters now (metrics).</summary>
    public IEngineStats EngineStats => _kv;

    /// <summary>Reads an opaque system value (job state, rotation progress).</summary>
    public byte[]? GetSys(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _kv.TryGet(Encoding.UTF8.GetBytes(KeySpace.Sys(key)), out byte[] value) ? value : null;
    }

    /// <summary>Durably stores an opaque system value.</summary>
    public ValueTask PutSysAsync(string key, byte[] value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var batch = new WriteBatch();
        batch.Put(Encoding.UTF8.GetBytes(KeySpace.Sys(key)), value);
        return _kv.CommitAsync(batch);
    }

    /// <summary>Durably removes a system value (no-op if absent).</summary>
    public ValueTask DeleteSysAsync(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var batch = new WriteBatch();
        batch.Delete(Encoding.UTF8.GetBytes(KeySpace.Sys(key)));
        return _kv.CommitAsync(batch);
    }

    /// <summary>Flushes, checkpoints and closes the underlying store.</summary>
    public ValueTask DisposeAsync() => _kv.DisposeAsync();

    /// <summary>Flushes, checkpoints and closes the underlying store.</summary>
    public void Dispose() => _kv.Dispose();

    /// <summary>
    /// The write skeleton: under the locks of <paramref name="userId"/> (if any) and the thread, runs
    /// <paramref name="change"/> on a fresh ThreadWrite and applies what it built as one batch; then,
    /// outside the locks, waits until that batch is durable.
    /// </summary>
    private async ValueTask<T> WriteThreadAsync<T>(string threadId, string? userId, Func<ThreadWrite, T> change)
    {
        (CommitHandle handle, ThreadWrite write, T result) = WriteThreadCore(threadId, userId, change);
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        // Only now may the feeds' subscribers see the write's events.
        PublishDurable(write);
        return result;
    }

    /// <summary>
    /// As <see cref="WriteThreadAsync"/> without waiting: the batch is applied, not yet durable. For
    /// writes that emit no feed events (their events would be published by the feed's next write).
    /// </summary>
    private (CommitHandle Handle, T Result) WriteThread<T>(string threadId, string? userId, Func<ThreadWrite, T> change)
    {
        (CommitHandle handle, _, T result) = WriteThreadCore(threadId, userId, change);
        return (handle, result);
    }

    private (CommitHandle Handle, ThreadWrite Write, T Result) WriteThreadCore<T>(string threadId, string? userId, Func<ThreadWrite, T> change)
    {
        object? userLock = userId is null ? null : UserLock(userId);
        if (userLock is not null)
        {
            Monitor.Enter(userLock);
        }

        try
        {
            int stripe = StripeOf(threadId);
            lock (_threadLocks[stripe])
            {
                var write = new ThreadWrite(_kv, threadId) { LockedUser = userId };
                T result = change(write);
                return (Commit(write, stripe), write, result);
            }
        }
        finally
        {
            if (userLock is not null)
            {
                Monitor.Exit(userLock);
            }
        }
    }

    /// <summary>
    /// Applies the records of <paramref name="write"/>, its stripe's new counters and its store-wide list
    /// changes as one batch. The caller holds the thread lock of <paramref name="stripe"/>.
    /// </summary>
    private CommitHandle Commit(ThreadWrite write, int stripe)
    {
        StatsRecord? counts = StageCounts(write, stripe);
        StageEvents(write);
        WriteBatch batch = _batches.TryTake(out WriteBatch? pooled) ? pooled : new WriteBatch(1024);
        try
        {
            write.Tx.Flush(batch);
            CommitHandle handle;
            if (write.Global is null)
            {
                handle = _kv.Apply(batch);
            }
            else
            {
                lock (_globalLock)
                {
                    var globalTx = new ChatTx(_kv);
                    write.Global(globalTx);
                    globalTx.Flush(batch);
                    handle = _kv.Apply(batch);
                }
            }
            PublishCounts(write, stripe, counts);
            MarkApplied(write);
            return handle;
        }
        finally
        {
            if (batch.EncodedLength <= PooledBatchMaxBytes)
            {
                batch.Clear();
                _batches.Add(batch);
            }
        }
    }

    private static object[] NewLocks(int count)
    {
        var locks = new object[count];
        for (int i = 0; i < count; i++)
        {
            locks[i] = new object();
        }

        return locks;
    }

    private int StripeOf(string threadId) => threadId.GetHashCode() & (_threadLocks.Length - 1);

    private object ThreadLock(string threadId) => _threadLocks[StripeOf(threadId)];

    private object UserLock(string userId) => _userLocks[userId.GetHashCode() & (_userLocks.Length - 1)];

    private ThreadMeta? ReadMeta(string threadId) => new ChatTx(_kv).Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
}
