// Messages: reserve a slot, write it, read, edit (a new version), soft delete, list, compare-and-swap of a body.
using System.Collections.Concurrent;
using Prg.Storage.Chat.Lists;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>Estimated JSON of a message around its body (key, thread, author, timestamps, flags).</summary>
    private const int MessageViewOverheadBytes = 200;

    // Per thread: the last seq handed out while slots may still be unwritten. Dropped once every
    // handed-out seq is written (or the thread is deleted), so it holds only threads being posted to.
    private readonly ConcurrentDictionary<string, long> _reservedSeq = new(StringComparer.Ordinal);

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
            if (!_reservedSeq.TryGetValue(threadId, out long last))
            {
                ThreadMessages? state = new ChatTx(_kv).Get(KeySpace.ThreadMessages(threadId), ThreadMessages.Decode);
                if (state is null || state.Deleted)
                {
                    throw new ChatKeyNotFoundException(ChatKeyKind.Thread, threadId);
                }

                last = state.SeqHighWater;
            }
            seq = last + 1;
            if (seq > KeySpace.MaxSeq)
            {
                throw new InvalidOperationException($"Thread '{threadId}' has run out of message sequence numbers.");
            }

            _reservedSeq[threadId] = seq;
            ts = clock();
        }
        ArgumentOutOfRangeException.ThrowIfNegative(ts, nameof(clock));
        return new MessageSlot(threadId, KeySpace.MessageKey(ts, seq), seq, ts);
    }

    /// <summary>
    /// Writes the message reserved by <paramref name="slot"/> (version 1). It is listed in seq order
    /// even when slots commit out of order. Null if the thread is missing or deleted.
    /// </summary>
    public ValueTask<MessageRecord?> CreateMessageAsync(MessageSlot slot, string author, byte[] body)
        => CreateMessageAsync(slot, author, body, owner: null);

    /// <summary>
    /// As <see cref="CreateMessageAsync(MessageSlot, string, byte[])"/> for a caller that has just read
    /// the thread: <paramref name="owner"/> is its author (it never changes), so the thread's meta
    /// record is not read again. Whether the thread still exists is checked under its lock either way.
    /// </summary>
    public ValueTask<MessageRecord?> CreateMessageAsync(MessageSlot slot, string author, byte[] body, string? owner)
    {
        string threadId = slot.ThreadId;
        KeySpace.ValidateThreadId(threadId, nameof(slot));
        KeySpace.ValidateUserId(author, nameof(author));
        ArgumentNullException.ThrowIfNull(body);
        if (!KeySpace.TryParseMessageKey(slot.Key, out long ts, out long seq) || ts != slot.Ts || seq != slot.Seq)
        {
            throw new ArgumentException("The slot was not produced by ReserveMessage.", nameof(slot));
        }

        // The owner's lock too: the post is summarised in the owner's inbox feed.
        if (owner is not null)
        {
            KeySpace.ValidateUserId(owner, nameof(owner));
        }
        else
        {
            if (ReadMeta(threadId) is not { Deleted: false } meta)
            {
                return ValueTask.FromResult<MessageRecord?>(null);
            }

            owner = meta.Author;
        }

        return WriteThreadAsync<MessageRecord?>(threadId, owner, w =>
        {
            if (w.State is not { Deleted: false } state)
            {
                return null;
            }

            if (ChunkIndex.Chunk(w.Tx, threadId, seq) is { } chunk && chunk.IsPresent(seq))
            {
                throw new InvalidOperationException($"Message '{slot.Key}' already exists; a slot can be written once.");
            }

            var entry = new MessageEntry { Author = author, CreatedTs = ts, UpdatedTs = ts, Version = 1, Body = body };
            w.Tx.Put(KeySpace.Message(threadId, slot.Key), entry);
            ChunkIndex.Update(w.Tx, threadId, seq, c => c.SetLive(seq, ts));
            new UpdatedMessageList(w.Tx, threadId, state).Insert(slot.Key, ts);
            state.LiveMessages++;
            state.SeqHighWater = Math.Max(state.SeqHighWater, seq);
            w.Put(state);
            w.MessagesDelta = 1;
            w.Emit(ChatEventKind.MessageCreated, ts, slot.Key);
            w.EmitInbox(owner, ChatEventKind.MessageCreated, ts, slot.Key);
            if (_reservedSeq.TryGetValue(threadId, out long reserved) && reserved <= state.SeqHighWater)
            {
                _reservedSeq.TryRemove(new KeyValuePair<string, long>(threadId, reserved));
            }

            return entry.ToPublic(threadId, slot.Key);
        });
    }

    /// <summary>The message, including a soft-deleted one; null if there is no such key in that thread.</summary>
    public MessageRecord? GetMessage(string threadId, string messageKey)
    {
        if (!KeySpace.IsValidThreadId(threadId) || !KeySpace.TryParseMessageKey(messageKey, out _, out _))
        {
            return null;
        }

        return new ChatTx(_kv).Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode)?.ToPublic(threadId, messageKey);
    }

    /// <summary>
    /// Optimistic edit: if the current version is <paramref name="expectedVersion"/>, stores the current
    /// body as that version, installs <paramref name="newBody"/> as version+1 and moves the message to
    /// the newest end of the by-updated list. Versions beyond the kept maximum are dropped, oldest first.
    /// </summary>
    public ValueTask<EditResult> EditMessageAsync(string threadId, string messageKey, int expectedVersion, byte[] newBody, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(newBody);
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
        {
            return ValueTask.FromResult(new EditResult(EditStatus.NotFound, null, 0));
        }

        return WriteThreadAsync(threadId, null, w =>
        {
            string key = KeySpace.Message(threadId, messageKey);
            MessageEntry? entry = w.Tx.Get(key, MessageEntry.Decode);
            if (w.State is not { Deleted: false } state || entry is null || entry.Deleted)
            {
                return new EditResult(EditStatus.NotFound, null, entry?.Version ?? 0);
            }

            if (entry.Version != expectedVersion)
            {
                return new EditResult(EditStatus.Conflict, null, entry.Version);
            }

            w.Tx.Put(KeySpace.MessageVersion(threadId, messageKey, entry.Version), new VersionEntry
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
            DropVersionsOverCap(w.Tx, threadId, messageKey, entry);
            w.Tx.Put(key, entry);
            var byUpdated = new UpdatedMessageList(w.Tx, threadId, state);
            byUpdated.Remove(messageKey);
            byUpdated.Insert(messageKey, ts);
            w.Emit(ChatEventKind.MessageUpdated, ts, messageKey);
            MessageRecord updated = entry.ToPublic(threadId, messageKey);
            return new EditResult(EditStatus.Ok, updated, updated.Version);
        });
    }

    /// <summary>Soft-deletes a message (unlists it, queues it for retention). False if missing, deleted or in a deleted thread.</summary>
    public ValueTask<bool> DeleteMessageAsync(string threadId, string messageKey, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out long seq))
        {
            return ValueTask.FromResult(false);
        }

        return WriteThreadAsync(threadId, null, w =>
        {
            string key = KeySpace.Message(threadId, messageKey);
            MessageEntry? entry = w.Tx.Get(key, MessageEntry.Decode);
            if (w.State is not { Deleted: false } state || entry is null || entry.Deleted)
            {
                return false;
            }

            new UpdatedMessageList(w.Tx, threadId, state).Remove(messageKey);
            ChunkIndex.Update(w.Tx, threadId, seq, c => c.SetDeleted(seq));
            entry.Deleted = true;
            entry.DeletedTs = ts;
            w.Tx.Put(key, entry);
            state.LiveMessages--;
            w.Put(state);
            w.MessagesDelta = -1;
            w.Emit(ChatEventKind.MessageDeleted, ts, messageKey);
            w.Global = g => DeletedMessages(g).Add(DeletedMessageItem(threadId, messageKey), ts);
            return true;
        });
    }

    /// <summary>The thread's live messages, oldest → newest (spec §5 message semantics), as records (copies of the page's rows).</summary>
    /// <exception cref="ChatKeyNotFoundException">The thread does not exist, or the reference is not a live message of it.</exception>
    public Page<MessageRecord> ListMessages(string threadId, PageRequest request)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        using MessagePage page = ReadMessagePage(threadId, null, request);
        return ToRecords(page);
    }

    /// <summary>
    /// As <see cref="ListMessages(string, PageRequest)"/> for a thread the caller has just read: its
    /// created-order pages use <paramref name="thread"/>'s counters instead of reading them again.
    /// </summary>
    public Page<MessageRecord> ListMessages(ThreadRecord thread, PageRequest request)
    {
        using MessagePage page = ReadMessagePage(thread, request);
        return ToRecords(page);
    }

    /// <summary>
    /// As <see cref="ListMessages(ThreadRecord, PageRequest)"/> into a pooled page (no record or body
    /// array per message): the read path of GET messages. Dispose the page once it is written.
    /// </summary>
    public MessagePage ReadMessagePage(ThreadRecord thread, PageRequest request)
    {
        ArgumentNullException.ThrowIfNull(thread);
        return ReadMessagePage(thread.Id, thread, request);
    }

    /// <summary>Admin: the thread's live message keys, oldest → newest (no message record is read).</summary>
    public Page<string> ListMessageKeys(string threadId, PageRequest request)
        => PageMessages<string>(threadId, null, request, _ => id => id, id => id.Length + 4);

    /// <summary>
    /// Compare-and-swap of a stored body (current version or an earlier one) without touching its
    /// version, timestamps or list positions (a body rewritten in place, e.g. re-sealed). False if missing or the body differs.
    /// </summary>
    public ValueTask<bool> ReplaceBodyAsync(string threadId, string messageKey, int version, byte[] expectedOldBody, byte[] newBody)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(expectedOldBody);
        ArgumentNullException.ThrowIfNull(newBody);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
        {
            return ValueTask.FromResult(false);
        }

        return WriteThreadAsync(threadId, null, w =>
        {
            string key = KeySpace.Message(threadId, messageKey);
            if (w.Tx.Get(key, MessageEntry.Decode) is not { } entry)
            {
                return false;
            }

            if (version == entry.Version)
            {
                if (!entry.Body.AsSpan().SequenceEqual(expectedOldBody))
                {
                    return false;
                }

                entry.Body = newBody;
                w.Tx.Put(key, entry);
                return true;
            }
            string versionKey = KeySpace.MessageVersion(threadId, messageKey, version);
            if (version < entry.OldestVersion || version > entry.Version
                || w.Tx.Get(versionKey, VersionEntry.Decode) is not { } old
                || !old.Body.AsSpan().SequenceEqual(expectedOldBody))
            {
                return false;
            }

            old.Body = newBody;
            w.Tx.Put(versionKey, old);
            return true;
        });
    }

    /// <summary>Index chunks one side of a page may read: enough for the limit, plus the allowance for deleted runs.</summary>
    private int ScanChunks(PageRequest request) => request.Limit / IndexChunk.Slots + 2 + _options.PageScanChunks;

    private MessagePage ReadMessagePage(string threadId, ThreadRecord? thread, PageRequest request)
    {
        MessagePage page = _pages.Rent(threadId);
        MessageReader reader = page.Reader;
        try
        {
            reader.Begin(_kv, page);
            int sizeOf(MessageRow m) => m.BodyLength + m.Author.Length + threadId.Length + MessageViewOverheadBytes;
            page.Page = PageMessages<MessageRow>(threadId, thread, request, _ => reader.Load, sizeOf, reader.Prefetch);
        }
        catch
        {
            // The reads end before the page goes back to the pool: another page read may take it at once.
            reader.End();
            page.Dispose();
            throw;
        }

        reader.End();
        return page;
    }

    private static Page<MessageRecord> ToRecords(MessagePage page)
    {
        var records = new MessageRecord[page.Items.Count];
        for (int i = 0; i < records.Length; i++)
        {
            MessageRow row = page.Items[i];
            records[i] = new MessageRecord
            {
                ThreadId = page.ThreadId,
                Key = row.Key,
                Seq = row.Seq,
                Author = row.Author,
                CreatedTs = row.CreatedTs,
                UpdatedTs = row.UpdatedTs,
                DeletedTs = row.DeletedTs,
                Version = row.Version,
                Body = page.Body(row).ToArray(),
            };
        }

        Page<MessageRow> rows = page.Page;
        return new Page<MessageRecord>(records, rows.HasBefore, rows.HasAfter, rows.Total, rows.BeforeCursor, rows.AfterCursor);
    }

    private Page<T> PageMessages<T>(string threadId, ThreadRecord? thread, PageRequest request, Func<ChatTx, Func<string, T?>> load, Func<T, int> sizeOf,
        PrefetchHint? prefetch = null)
        where T : class
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var tx = new ChatTx(_kv);
        if (request.Reference is { } reference && !KeySpace.TryParseMessageKey(reference, out _, out _))
        {
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
        }

        if (request.SortBy == SortBy.CreatedTs && thread is not null)
        {
            return Pager.Page(new CreatedIndex<T>(tx, threadId, thread.MessageSeqHighWater, ScanChunks(request), load(tx), sizeOf, prefetch, request.Limit),
                request, newestFirst: false, thread.LiveMessages);
        }

        ThreadMessages state = tx.Get(KeySpace.ThreadMessages(threadId), ThreadMessages.Decode)
            ?? throw new ChatKeyNotFoundException(ChatKeyKind.Thread, threadId);
        IPageSource<T> source = request.SortBy == SortBy.CreatedTs
            ? new CreatedIndex<T>(tx, threadId, state.SeqHighWater, ScanChunks(request), load(tx), sizeOf, prefetch, request.Limit)
            : new LinkedSource<T>(new UpdatedMessageList(tx, threadId, state), load(tx), sizeOf);
        return Pager.Page(source, request, newestFirst: false, state.LiveMessages);
    }
}
