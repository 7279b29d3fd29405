// The chat keyspace (threads, messages, versions, per-user and global lists, counters, retention
// queues) on top of DurableKv. Key formats: see KeySpace.
//
// Concurrency: every record has one owning lock (documented per key in KeySpace): striped thread locks,
// striped user locks, and one global lock for the store-wide lists and counters. An operation takes
// user → thread → global (always in that order), builds its whole change in a ChatTx, applies it as ONE
// DurableKv batch while still holding the locks (so the next reader sees it), releases them, and only
// then awaits durability: concurrent posts to one thread share fsyncs instead of queueing on them.
// The global lock is held only to append the global records to an already-encoded batch and apply it,
// so the absolute counters written to sys:stats are applied in the same order they were computed.
//
// Listings never scan: each list is doubly linked through its records, and a page is O(limit) point
// reads from the tail or from the referenced item (see Pager for the exact semantics).
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Prg.Storage.Chat.Lists;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

/// <summary>Durable chat store: threads, messages with versions, ordered listings, retention.</summary>
public sealed class ChatStore : IAsyncDisposable, IDisposable
{
    private const string IdAlphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    private const int PurgeChunkOps = 2048;
    private const int PooledBatchMaxBytes = 1 << 20;

    private readonly DurableKv _kv;
    private readonly object[] _threadLocks;
    private readonly object[] _userLocks;
    private readonly object _globalLock = new();
    private readonly ConcurrentDictionary<string, long> _reservedSeq = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<WriteBatch> _batches = new();
    private long _liveThreads;
    private long _liveMessages;

    private ChatStore(DurableKv kv, int stripes)
    {
        _kv = kv;
        _threadLocks = NewLocks(stripes);
        _userLocks = NewLocks(stripes);
        StatsRecord? stats = new ChatTx(kv).Get(KeySpace.StatsKey, StatsRecord.Decode);
        _liveThreads = stats?.LiveThreads ?? 0;
        _liveMessages = stats?.LiveMessages ?? 0;
    }

    /// <summary>Opens (creating or recovering) the store.</summary>
    public static ChatStore Open(ChatStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LockStripes < 1 || (options.LockStripes & (options.LockStripes - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.LockStripes, "LockStripes must be a power of two.");
        DurableKv kv = DurableKv.Open(options.Kv);
        try
        {
            return new ChatStore(kv, options.LockStripes);
        }
        catch
        {
            kv.Dispose();
            throw;
        }
    }

    /// <summary>The underlying key-value store (metrics, checkpoints).</summary>
    public DurableKv Kv => _kv;

    /// <summary>A new unique, URL-safe (<c>[A-Za-z0-9_-]</c>) thread id whose ordinal order follows creation time.</summary>
    public string NewThreadId()
    {
        // 8 chars of milliseconds (48 bits) + 10 random chars (60 bits), in an alphabet sorted by ASCII.
        Span<char> id = stackalloc char[18];
        long ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int i = 7; i >= 0; i--, ms >>= 6)
            id[i] = IdAlphabet[(int)(ms & 63)];
        ulong random = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        for (int i = 8; i < 18; i++, random >>= 6)
            id[i] = IdAlphabet[(int)(random & 63)];
        return new string(id);
    }

    /// <summary>Creates a thread; throws <see cref="InvalidOperationException"/> if the id is taken.</summary>
    public async ValueTask<ThreadRecord> CreateThreadAsync(string threadId, string author, byte[] title, byte[] kms, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        KeySpace.ValidateUserId(author, nameof(author));
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentOutOfRangeException.ThrowIfNegative(ts);

        (CommitHandle handle, ThreadRecord record) = CreateThreadLocked();
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return record;

        (CommitHandle, ThreadRecord) CreateThreadLocked()
        {
            lock (UserLock(author))
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                string metaKey = KeySpace.ThreadMeta(threadId);
                if (tx.Get(metaKey, ThreadMeta.Decode) is not null)
                    throw new InvalidOperationException($"Thread '{threadId}' already exists.");
                var meta = new ThreadMeta { Id = threadId, Author = author, CreatedTs = ts, UpdatedTs = ts, Title = title, Kms = kms };
                tx.Put(metaKey, meta);

                UserMeta? user = tx.Get(KeySpace.UserMeta(author), UserMeta.Decode);
                bool newUser = user is null;
                user ??= new UserMeta();
                tx.Put(KeySpace.UserThreadNode(author, threadId), new UserThreadNode());
                new UserThreadList(tx, author, user, byUpdated: false).Append(threadId);
                new UserThreadList(tx, author, user, byUpdated: true).Append(threadId);
                user.LiveThreads++;
                tx.Put(KeySpace.UserMeta(author), user);

                CommitHandle h = Commit(tx, threadsDelta: 1, messagesDelta: 0, g =>
                {
                    if (newUser)
                        Users(g).Add(author);
                    Registry(g).Add(threadId);
                });
                return (h, meta.ToPublic());
            }
        }
    }

    /// <summary>The thread, including a soft-deleted one (<see cref="ThreadRecord.Deleted"/>); null if it does not exist.</summary>
    public ThreadRecord? GetThread(string threadId) =>
        // An id no thread can have (too long, control characters) names nothing: not the caller's bug.
        KeySpace.IsValidThreadId(threadId) ? ReadMeta(threadId)?.ToPublic() : null;

    /// <summary>
    /// Updates title and/or kms (null = keep) and moves the thread to the newest end of its author's
    /// by-updated list. Null if the thread is missing or deleted.
    /// </summary>
    public async ValueTask<ThreadRecord?> UpdateThreadAsync(string threadId, byte[]? title, byte[]? kms, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        ThreadMeta? existing = ReadMeta(threadId);
        if (existing is null || existing.Deleted)
            return null;

        (CommitHandle handle, ThreadRecord? record) = UpdateLocked(existing.Author);
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return record;

        (CommitHandle, ThreadRecord?) UpdateLocked(string author)
        {
            lock (UserLock(author))
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || meta.Deleted)
                    return (default, null);
                if (kms is not null)
                    meta.Kms = kms;
                // A new title is a user-visible update; a kms-only change (key rotation) is not.
                if (title is not null)
                {
                    meta.Title = title;
                    meta.UpdatedTs = ts;
                    UserMeta user = RequiredUser(tx, author);
                    new UserThreadList(tx, author, user, byUpdated: true).MoveToTail(threadId);
                }
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                return (Commit(tx, 0, 0, null), meta.ToPublic());
            }
        }
    }

    /// <summary>
    /// Soft-deletes a thread: unlinks it from its author's lists, drops the live counts by the thread
    /// and its live messages, and queues it for retention. False if missing or already deleted.
    /// </summary>
    public async ValueTask<bool> DeleteThreadAsync(string threadId, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        ThreadMeta? existing = ReadMeta(threadId);
        if (existing is null || existing.Deleted)
            return false;

        (CommitHandle handle, bool deleted) = DeleteLocked(existing.Author);
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return deleted;

        (CommitHandle, bool) DeleteLocked(string author)
        {
            lock (UserLock(author))
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || meta.Deleted)
                    return (default, false);
                meta.Deleted = true;
                meta.DeletedTs = ts;
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                UnlinkFromUser(tx, meta);
                CommitHandle h = Commit(tx, -1, -meta.LiveMessages, g => DeletedThreads(g).Add(threadId, ts));
                return (h, true);
            }
        }
    }

    /// <summary>The author's live threads, newest → oldest (spec §5 thread semantics).</summary>
    /// <exception cref="ChatKeyNotFoundException">The reference is not one of the author's live threads.</exception>
    public Page<ThreadRecord> ListThreads(string author, PageRequest request)
    {
        (ChatTx tx, List<string> ids, bool hasBefore, bool hasAfter, long total) = PageUserThreads(author, request);
        var items = new List<ThreadRecord>(ids.Count);
        foreach (string id in ids)
        {
            if (tx.Get(KeySpace.ThreadMeta(id), ThreadMeta.Decode) is { } meta)
                items.Add(meta.ToPublic());
        }
        return new Page<ThreadRecord>(items, hasBefore, hasAfter, total);
    }

    /// <summary>Admin: the user's live thread ids, newest → oldest.</summary>
    public Page<string> ListUserThreadIds(string user, PageRequest request)
    {
        if (!KeySpace.IsValidUserId(user))
            return new Page<string>([], false, false, 0); // no user can have this id
        (_, List<string> ids, bool hasBefore, bool hasAfter, long total) = PageUserThreads(user, request);
        return new Page<string>(ids, hasBefore, hasAfter, total);
    }

    /// <summary>
    /// Allocates the thread's next sequence number and the message key <c>&lt;ts&gt;-&lt;seq&gt;</c>.
    /// Race-free; a slot that is never written only leaves a gap in the numbering.
    /// </summary>
    /// <exception cref="ChatKeyNotFoundException">The thread does not exist or is deleted.</exception>
    public MessageSlot ReserveMessage(string threadId, long ts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        return ReserveMessage(threadId, () => ts);
    }

    /// <summary>
    /// As <see cref="ReserveMessage(string, long)"/>, reading the timestamp from <paramref name="clock"/>
    /// under the thread's lock, so concurrent posts get timestamps in the same order as their seqs.
    /// </summary>
    public MessageSlot ReserveMessage(string threadId, Func<long> clock)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(clock);
        long seq, ts;
        lock (ThreadLock(threadId))
        {
            ThreadMeta? meta = ReadMeta(threadId);
            if (meta is null || meta.Deleted)
                throw new ChatKeyNotFoundException(ChatKeyKind.Thread, threadId);
            long last = meta.SeqHighWater;
            if (_reservedSeq.TryGetValue(threadId, out long reserved) && reserved > last)
                last = reserved;
            seq = last + 1;
            if (seq > KeySpace.MaxSeq)
                throw new InvalidOperationException($"Thread '{threadId}' has run out of message sequence numbers.");
            _reservedSeq[threadId] = seq;
            ts = clock();
        }
        ArgumentOutOfRangeException.ThrowIfNegative(ts, nameof(clock));
        return new MessageSlot(threadId, KeySpace.MessageKey(ts, seq), seq, ts);
    }

    /// <summary>
    /// Writes the message reserved by <paramref name="slot"/> (version 1). It is linked in seq order
    /// even when slots commit out of order. Null if the thread is missing or deleted.
    /// </summary>
    public async ValueTask<MessageRecord?> CreateMessageAsync(MessageSlot slot, string author, byte[] body)
    {
        string threadId = slot.ThreadId;
        KeySpace.ValidateThreadId(threadId, nameof(slot));
        KeySpace.ValidateUserId(author, nameof(author));
        ArgumentNullException.ThrowIfNull(body);
        if (!KeySpace.TryParseMessageKey(slot.Key, out long ts, out long seq) || ts != slot.Ts || seq != slot.Seq)
            throw new ArgumentException("The slot was not produced by ReserveMessage.", nameof(slot));

        (CommitHandle handle, MessageRecord? record) = CreateLocked();
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return record;

        (CommitHandle, MessageRecord?) CreateLocked()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || meta.Deleted)
                    return (default, null);
                string messageKey = KeySpace.Message(threadId, slot.Key);
                if (tx.Get(messageKey, MessageEntry.Decode) is not null)
                    throw new InvalidOperationException($"Message '{slot.Key}' already exists; a slot can be written once.");

                var entry = new MessageEntry
                {
                    Key = slot.Key,
                    Seq = seq,
                    Author = author,
                    CreatedTs = ts,
                    UpdatedTs = ts,
                    Version = 1,
                    Body = body,
                };
                tx.Put(messageKey, entry);
                tx.PutString(KeySpace.SeqIndex(threadId, seq), slot.Key);

                // Slots can commit out of order: both lists are kept sorted (by seq, and by updated_ts).
                new MessageList(tx, meta, byUpdated: false).InsertFromTail(slot.Key, k => SeqOf(k) > seq);
                var updated = new MessageList(tx, meta, byUpdated: true);
                updated.InsertFromTail(slot.Key, k => updated.Find(k)!.UpdatedTs > ts);

                meta.LiveMessages++;
                meta.SeqHighWater = Math.Max(meta.SeqHighWater, seq);
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                CommitHandle h = Commit(tx, 0, 1, null);
                if (_reservedSeq.TryGetValue(threadId, out long reserved) && reserved <= meta.SeqHighWater)
                    _reservedSeq.TryRemove(new KeyValuePair<string, long>(threadId, reserved));
                return (h, entry.ToPublic(threadId));
            }
        }
    }

    /// <summary>The message, including a soft-deleted one; null if there is no such key in that thread.</summary>
    public MessageRecord? GetMessage(string threadId, string messageKey)
    {
        if (!KeySpace.IsValidThreadId(threadId) || !KeySpace.TryParseMessageKey(messageKey, out _, out _))
            return null;
        return new ChatTx(_kv).Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode)?.ToPublic(threadId);
    }

    /// <summary>
    /// Optimistic edit: if the current version is <paramref name="expectedVersion"/>, stores the current
    /// body as that version, installs <paramref name="newBody"/> as version+1 and moves the message to
    /// the newest end of the by-updated list.
    /// </summary>
    public async ValueTask<EditResult> EditMessageAsync(string threadId, string messageKey, int expectedVersion, byte[] newBody, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(newBody);
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
            return new EditResult(EditStatus.NotFound, null, 0);

        (CommitHandle handle, EditResult result) = EditLocked();
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return result;

        (CommitHandle, EditResult) EditLocked()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                MessageEntry? entry = tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode);
                if (meta is null || meta.Deleted || entry is null || entry.Deleted)
                    return (default, new EditResult(EditStatus.NotFound, null, entry?.Version ?? 0));
                if (entry.Version != expectedVersion)
                    return (default, new EditResult(EditStatus.Conflict, null, entry.Version));

                tx.Put(KeySpace.MessageVersion(threadId, messageKey, entry.Version), new VersionEntry
                {
                    Version = entry.Version,
                    Author = entry.Author,
                    CreatedTs = entry.CreatedTs,
                    UpdatedTs = entry.UpdatedTs,
                    Body = entry.Body,
                });
                entry.Version++;
                entry.Body = newBody;
                entry.UpdatedTs = ts;
                tx.Put(KeySpace.Message(threadId, messageKey), entry);
                // Edits timestamped before the lock can commit out of order: keep the list sorted.
                var byUpdated = new MessageList(tx, meta, byUpdated: true);
                byUpdated.Unlink(messageKey);
                byUpdated.InsertFromTail(messageKey, k => byUpdated.Find(k)!.UpdatedTs > ts);
                MessageRecord updated = entry.ToPublic(threadId);
                return (Commit(tx, 0, 0, null), new EditResult(EditStatus.Ok, updated, updated.Version));
            }
        }
    }

    /// <summary>Soft-deletes a message (unlinks it, queues it for retention). False if missing, deleted or in a deleted thread.</summary>
    public async ValueTask<bool> DeleteMessageAsync(string threadId, string messageKey, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
            return false;

        (CommitHandle handle, bool deleted) = DeleteLocked();
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return deleted;

        (CommitHandle, bool) DeleteLocked()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                MessageEntry? entry = tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode);
                if (meta is null || meta.Deleted || entry is null || entry.Deleted)
                    return (default, false);
                new MessageList(tx, meta, byUpdated: false).Unlink(messageKey);
                new MessageList(tx, meta, byUpdated: true).Unlink(messageKey);
                entry.Deleted = true;
                entry.DeletedTs = ts;
                tx.Put(KeySpace.Message(threadId, messageKey), entry);
                meta.LiveMessages--;
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                CommitHandle h = Commit(tx, 0, -1, g => DeletedMessages(g).Add(DeletedMessageItem(threadId, messageKey), ts));
                return (h, true);
            }
        }
    }

    /// <summary>The thread's live messages, oldest → newest (spec §5 message semantics).</summary>
    /// <exception cref="ChatKeyNotFoundException">The thread does not exist, or the reference is not a live message of it.</exception>
    public Page<MessageRecord> ListMessages(string threadId, PageRequest request)
    {
        (MessageList list, List<string> ids, bool hasBefore, bool hasAfter, long total) = PageMessages(threadId, request);
        var items = new List<MessageRecord>(ids.Count);
        foreach (string id in ids)
        {
            if (list.Find(id) is { } entry)
                items.Add(entry.ToPublic(threadId));
        }
        return new Page<MessageRecord>(items, hasBefore, hasAfter, total);
    }

    /// <summary>Admin: the thread's live message keys, oldest → newest.</summary>
    public Page<string> ListMessageKeys(string threadId, PageRequest request)
    {
        (_, List<string> ids, bool hasBefore, bool hasAfter, long total) = PageMessages(threadId, request);
        return new Page<string>(ids, hasBefore, hasAfter, total);
    }

    /// <summary>Every version of the message including the current one, oldest first; empty if there is no such message.</summary>
    public IReadOnlyList<MessageRecord> ListVersions(string threadId, string messageKey)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
            return [];
        var tx = new ChatTx(_kv);
        MessageEntry? entry = tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode);
        if (entry is null)
            return [];
        var versions = new List<MessageRecord>(entry.Version);
        for (int n = 1; n < entry.Version; n++)
        {
            VersionEntry? v = tx.Get(KeySpace.MessageVersion(threadId, messageKey, n), VersionEntry.Decode);
            if (v is null)
                continue;
            versions.Add(new MessageRecord
            {
                ThreadId = threadId,
                Key = messageKey,
                Seq = entry.Seq,
                Author = v.Author,
                CreatedTs = v.CreatedTs,
                UpdatedTs = v.UpdatedTs,
                Deleted = entry.Deleted,
                DeletedTs = entry.DeletedTs,
                Version = v.Version,
                Body = v.Body,
            });
        }
        versions.Add(entry.ToPublic(threadId));
        return versions;
    }

    /// <summary>Live threads and live messages in the store (O(1)).</summary>
    public StoreStats GetStats() => new(Interlocked.Read(ref _liveThreads), Interlocked.Read(ref _liveMessages));

    /// <summary>Admin: every user id that ever created a thread, in first-seen order (oldest → newest).</summary>
    public Page<string> ListUsers(PageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if ((request.Before ?? request.After ?? request.Anchor) is { } reference)
            KeySpace.ValidateUserId(reference, nameof(request));
        var tx = new ChatTx(_kv);
        GlobalList users = Users(tx);
        (List<string> ids, bool hasBefore, bool hasAfter) = Pager.Page(users, request, newestFirst: false);
        return new Page<string>(ids, hasBefore, hasAfter, users.Count);
    }

    /// <summary>
    /// Every stored (not purged) thread id, deleted ones included, in creation order, starting after
    /// <paramref name="afterThreadId"/> (null = from the first). For background jobs.
    /// </summary>
    public Page<string> ListAllThreadIds(string? afterThreadId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var tx = new ChatTx(_kv);
        GlobalList registry = Registry(tx);
        string? next;
        if (afterThreadId is null)
        {
            next = registry.Head;
        }
        else
        {
            KeySpace.ValidateThreadId(afterThreadId, nameof(afterThreadId));
            if (!registry.Contains(afterThreadId))
                throw new ChatKeyNotFoundException(ChatKeyKind.Thread, afterThreadId);
            next = registry.Next(afterThreadId);
        }
        var ids = new List<string>(Math.Min(limit, 1024));
        for (; next is not null && ids.Count < limit; next = registry.Next(next))
            ids.Add(next);
        bool hasBefore = ids.Count > 0 ? registry.Prev(ids[0]) is not null : afterThreadId is not null;
        bool hasAfter = ids.Count > 0 && registry.Next(ids[^1]) is not null;
        return new Page<string>(ids, hasBefore, hasAfter, registry.Count);
    }

    /// <summary>
    /// Physically removes a thread and everything under it (messages, versions, indexes, list links,
    /// queue entries) and fixes the counters. Runs in several atomic steps; if interrupted by a crash
    /// the thread stays deleted and the next call (or retention run) finishes the job.
    /// </summary>
    public async ValueTask PurgeThreadAsync(string threadId)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ThreadMeta? existing = ReadMeta(threadId);
        if (existing is null)
        {
            await _kv.WaitDurableAsync(RemoveThreadLeftovers()).ConfigureAwait(false);
            return;
        }

        await _kv.WaitDurableAsync(BeginPurge(existing.Author)).ConfigureAwait(false);
        while (PurgeChunk(out CommitHandle handle))
            await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        await _kv.WaitDurableAsync(FinishPurge()).ConfigureAwait(false);

        CommitHandle RemoveThreadLeftovers()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                if (tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode) is not null)
                    return default;
                return Commit(tx, 0, 0, g =>
                {
                    Registry(g).Remove(threadId);
                    DeletedThreads(g).Remove(threadId);
                });
            }
        }

        CommitHandle BeginPurge(string author)
        {
            lock (UserLock(author))
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || meta.Purging)
                    return default;
                bool wasLive = !meta.Deleted;
                long liveMessages = wasLive ? meta.LiveMessages : 0;
                if (wasLive)
                    UnlinkFromUser(tx, meta);
                meta.Deleted = true;
                meta.Purging = true;
                meta.LiveMessages = 0;
                meta.CreatedHead = meta.CreatedTail = meta.UpdatedHead = meta.UpdatedTail = null;
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                return Commit(tx, wasLive ? -1 : 0, -liveMessages, g =>
                {
                    // A live thread enters the retention queue at its head (time 0) so an interrupted
                    // purge is finished by the next retention run whatever its cutoff.
                    if (!wasLive)
                        return;
                    GlobalList queue = DeletedThreads(g);
                    g.Put(queue.NodeKey(threadId), new ListNode { Ts = 0 });
                    if (queue.Head is { } head)
                        queue.InsertBefore(threadId, head);
                    else
                        queue.Append(threadId);
                    queue.Count++;
                });
            }
        }

        bool PurgeChunk(out CommitHandle handle)
        {
            handle = default;
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || !meta.Purging || meta.SeqHighWater <= 0)
                    return false;
                var deletedItems = new List<string>();
                int ops = 0;
                long seq = meta.SeqHighWater;
                for (; seq >= 1 && ops < PurgeChunkOps; seq--)
                {
                    string seqKey = KeySpace.SeqIndex(threadId, seq);
                    if (tx.GetString(seqKey) is { } messageKey)
                    {
                        ops += DeleteMessageRecords(tx, threadId, messageKey, out bool wasDeleted);
                        if (wasDeleted)
                            deletedItems.Add(DeletedMessageItem(threadId, messageKey));
                    }
                    tx.Delete(seqKey);
                    ops++;
                }
                meta.SeqHighWater = seq;
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                handle = Commit(tx, 0, 0, deletedItems.Count == 0 ? null : g =>
                {
                    GlobalList queue = DeletedMessages(g);
                    foreach (string item in deletedItems)
                        queue.Remove(item);
                });
                return true;
            }
        }

        CommitHandle FinishPurge()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || !meta.Purging || meta.SeqHighWater > 0)
                    return default;
                tx.Delete(KeySpace.ThreadMeta(threadId));
                _reservedSeq.TryRemove(threadId, out _);
                return Commit(tx, 0, 0, g =>
                {
                    Registry(g).Remove(threadId);
                    DeletedThreads(g).Remove(threadId);
                });
            }
        }
    }

    /// <summary>
    /// Retention: physically removes threads soft-deleted before <paramref name="deletedThreadsBeforeTs"/>
    /// and messages soft-deleted before <paramref name="deletedMessagesBeforeTs"/>. Walks the delete-order
    /// queues from their oldest end and stops at the first entry at or after the cutoff, so it costs
    /// O(purged items), never a scan. Returns the number of threads plus messages removed.
    /// </summary>
    public async ValueTask<int> PurgeExpiredAsync(long deletedThreadsBeforeTs, long deletedMessagesBeforeTs)
    {
        int purged = 0;
        while (true)
        {
            var tx = new ChatTx(_kv);
            GlobalList queue = DeletedThreads(tx);
            if (queue.Head is not { } threadId || queue.Find(threadId) is not { } node || node.Ts >= deletedThreadsBeforeTs)
                break;
            await PurgeThreadAsync(threadId).ConfigureAwait(false);
            purged++;
        }

        CommitHandle last = default;
        while (true)
        {
            var tx = new ChatTx(_kv);
            GlobalList queue = DeletedMessages(tx);
            if (queue.Head is not { } item || queue.Find(item) is not { } node || node.Ts >= deletedMessagesBeforeTs)
                break;
            (string threadId, string messageKey) = ParseDeletedMessageItem(item);
            last = PurgeDeletedMessage(threadId, messageKey, item);
            purged++;
        }
        await _kv.WaitDurableAsync(last).ConfigureAwait(false);
        return purged;

        CommitHandle PurgeDeletedMessage(string threadId, string messageKey, string item)
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                if (tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode) is { Deleted: true } entry)
                {
                    DeleteMessageRecords(tx, threadId, messageKey, out _);
                    tx.Delete(KeySpace.SeqIndex(threadId, entry.Seq));
                }
                return Commit(tx, 0, 0, g => DeletedMessages(g).Remove(item));
            }
        }
    }

    /// <summary>
    /// Compare-and-swap of a stored body (current version or an earlier one) without touching its
    /// version, timestamps or list positions (DEK re-encryption). False if missing or the body differs.
    /// </summary>
    public async ValueTask<bool> ReplaceBodyAsync(string threadId, string messageKey, int version, byte[] expectedOldBody, byte[] newBody)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(expectedOldBody);
        ArgumentNullException.ThrowIfNull(newBody);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
            return false;

        (CommitHandle handle, bool replaced) = ReplaceLocked();
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return replaced;

        (CommitHandle, bool) ReplaceLocked()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                MessageEntry? entry = tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode);
                if (entry is null)
                    return (default, false);
                if (version == entry.Version)
                {
                    if (!entry.Body.AsSpan().SequenceEqual(expectedOldBody))
                        return (default, false);
                    entry.Body = newBody;
                    tx.Put(KeySpace.Message(threadId, messageKey), entry);
                }
                else
                {
                    string versionKey = KeySpace.MessageVersion(threadId, messageKey, version);
                    if (version < 1 || version > entry.Version
                        || tx.Get(versionKey, VersionEntry.Decode) is not { } old
                        || !old.Body.AsSpan().SequenceEqual(expectedOldBody))
                        return (default, false);
                    old.Body = newBody;
                    tx.Put(versionKey, old);
                }
                return (Commit(tx, 0, 0, null), true);
            }
        }
    }

    /// <summary>
    /// Compare-and-swap of a live thread's stored title without touching updated_ts or list positions
    /// (DEK re-encryption). False if the thread is missing or deleted, or the title differs.
    /// </summary>
    public async ValueTask<bool> ReplaceTitleAsync(string threadId, byte[] expectedOldTitle, byte[] newTitle)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(expectedOldTitle);
        ArgumentNullException.ThrowIfNull(newTitle);

        (CommitHandle handle, bool replaced) = ReplaceLocked();
        await _kv.WaitDurableAsync(handle).ConfigureAwait(false);
        return replaced;

        (CommitHandle, bool) ReplaceLocked()
        {
            lock (ThreadLock(threadId))
            {
                var tx = new ChatTx(_kv);
                ThreadMeta? meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);
                if (meta is null || meta.Deleted || !meta.Title.AsSpan().SequenceEqual(expectedOldTitle))
                    return (default, false);
                meta.Title = newTitle;
                tx.Put(KeySpace.ThreadMeta(threadId), meta);
                return (Commit(tx, 0, 0, null), true);
            }
        }
    }

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

    private static object[] NewLocks(int count)
    {
        var locks = new object[count];
        for (int i = 0; i < count; i++)
            locks[i] = new object();
        return locks;
    }

    private object ThreadLock(string threadId) => _threadLocks[threadId.GetHashCode() & (_threadLocks.Length - 1)];

    private object UserLock(string userId) => _userLocks[userId.GetHashCode() & (_userLocks.Length - 1)];

    private static GlobalList Users(ChatTx tx) => new(tx, KeySpace.UsersHeadKey, KeySpace.UsersNode);

    private static GlobalList Registry(ChatTx tx) => new(tx, KeySpace.ThreadsHeadKey, KeySpace.ThreadsNode);

    private static GlobalList DeletedThreads(ChatTx tx) => new(tx, KeySpace.DeletedThreadsHeadKey, KeySpace.DeletedThreadNode);

    private static GlobalList DeletedMessages(ChatTx tx) => new(tx, KeySpace.DeletedMessagesHeadKey, item =>
    {
        (string threadId, string messageKey) = ParseDeletedMessageItem(item);
        return KeySpace.DeletedMessageNode(threadId, messageKey);
    });

    // Message keys contain no ':', so the last ':' separates the (unescaped) thread id.
    private static string DeletedMessageItem(string threadId, string messageKey) => threadId + ":" + messageKey;

    private static (string ThreadId, string MessageKey) ParseDeletedMessageItem(string item)
    {
        int split = item.LastIndexOf(':');
        if (split <= 0)
            throw new InvalidDataException($"Malformed deleted-message queue entry '{item}'.");
        return (item[..split], item[(split + 1)..]);
    }

    private static long SeqOf(string messageKey)
        => KeySpace.TryParseMessageKey(messageKey, out _, out long seq) ? seq : throw new InvalidDataException($"Malformed message key '{messageKey}' in a list.");

    private ThreadMeta? ReadMeta(string threadId) => new ChatTx(_kv).Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode);

    private static UserMeta RequiredUser(ChatTx tx, string author)
        => tx.Get(KeySpace.UserMeta(author), UserMeta.Decode) ?? throw new InvalidDataException($"User record of '{author}' is missing.");

    private static void UnlinkFromUser(ChatTx tx, ThreadMeta meta)
    {
        UserMeta user = RequiredUser(tx, meta.Author);
        var created = new UserThreadList(tx, meta.Author, user, byUpdated: false);
        if (!created.Contains(meta.Id))
            return;
        created.Unlink(meta.Id);
        new UserThreadList(tx, meta.Author, user, byUpdated: true).Unlink(meta.Id);
        tx.Delete(KeySpace.UserThreadNode(meta.Author, meta.Id));
        user.LiveThreads--;
        tx.Put(KeySpace.UserMeta(meta.Author), user);
    }

    /// <summary>Deletes a message record and its versions; returns the number of deletes.</summary>
    private static int DeleteMessageRecords(ChatTx tx, string threadId, string messageKey, out bool wasDeleted)
    {
        MessageEntry? entry = tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode);
        wasDeleted = entry?.Deleted ?? false;
        if (entry is null)
            return 0;
        for (int n = 1; n < entry.Version; n++)
            tx.Delete(KeySpace.MessageVersion(threadId, messageKey, n));
        tx.Delete(KeySpace.Message(threadId, messageKey));
        return entry.Version;
    }

    private (ChatTx Tx, List<string> Ids, bool HasBefore, bool HasAfter, long Total) PageUserThreads(string user, PageRequest request)
    {
        KeySpace.ValidateUserId(user, nameof(user));
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var tx = new ChatTx(_kv);
        UserMeta meta = tx.Get(KeySpace.UserMeta(user), UserMeta.Decode) ?? new UserMeta();
        if ((request.Before ?? request.After ?? request.Anchor) is { Length: 0 })
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, "");
        var list = new UserThreadList(tx, user, meta, request.SortBy == SortBy.UpdatedTs);
        (List<string> ids, bool hasBefore, bool hasAfter) = Pager.Page(list, request, newestFirst: true);
        return (tx, ids, hasBefore, hasAfter, meta.LiveThreads);
    }

    private (MessageList List, List<string> Ids, bool HasBefore, bool HasAfter, long Total) PageMessages(string threadId, PageRequest request)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var tx = new ChatTx(_kv);
        ThreadMeta meta = tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode)
            ?? throw new ChatKeyNotFoundException(ChatKeyKind.Thread, threadId);
        if ((request.Before ?? request.After ?? request.Anchor) is { } reference && !KeySpace.TryParseMessageKey(reference, out _, out _))
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
        var list = new MessageList(tx, meta, request.SortBy == SortBy.UpdatedTs);
        (List<string> ids, bool hasBefore, bool hasAfter) = Pager.Page(list, request, newestFirst: false);
        return (list, ids, hasBefore, hasAfter, meta.LiveMessages);
    }

    /// <summary>
    /// Applies the records in <paramref name="tx"/> plus the global changes (counters and the work of
    /// <paramref name="global"/>) as one batch. The caller holds the locks of everything in tx.
    /// </summary>
    private CommitHandle Commit(ChatTx tx, long threadsDelta, long messagesDelta, Action<ChatTx>? global)
    {
        WriteBatch batch = _batches.TryTake(out WriteBatch? pooled) ? pooled : new WriteBatch(1024);
        try
        {
            tx.Flush(batch);
            if (threadsDelta == 0 && messagesDelta == 0 && global is null)
                return _kv.Apply(batch);
            lock (_globalLock)
            {
                var globalTx = new ChatTx(_kv);
                global?.Invoke(globalTx);
                long threads = _liveThreads + threadsDelta;
                long messages = _liveMessages + messagesDelta;
                if (threadsDelta != 0 || messagesDelta != 0)
                    globalTx.Put(KeySpace.StatsKey, new StatsRecord { LiveThreads = threads, LiveMessages = messages });
                globalTx.Flush(batch);
                CommitHandle handle = _kv.Apply(batch);
                Interlocked.Exchange(ref _liveThreads, threads);
                Interlocked.Exchange(ref _liveMessages, messages);
                return handle;
            }
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
}
