// Retention and physical removal, in bounded batches: no batch deletes more than PurgeBatchOps
// records, so a thread of any size or a message with any number of versions is removed over several
// atomic steps (each resumable after a crash) and never by a batch the WAL cannot take.
using Prg.Storage.Chat.Lists;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>Most records one purge batch deletes (each a key-only WAL entry of at most a few hundred bytes).</summary>
    internal const int PurgeBatchOps = 2048;

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
            await WriteThreadAsync(threadId, null, w =>
            {
                if (w.Meta is null)
                {
                    w.Global = g => ForgetThread(g, threadId);
                }

                return true;
            }).ConfigureAwait(false);
            return;
        }

        await WriteThreadAsync(threadId, existing.Author, BeginPurge).ConfigureAwait(false);
        while (await WriteThreadAsync(threadId, null, PurgeSomeMessages).ConfigureAwait(false))
        {
        }
        await WriteThreadAsync(threadId, null, w =>
        {
            if (w.Meta is not { Purging: true } || w.State is { SeqHighWater: > 0 })
            {
                return false;
            }

            w.DeleteThreadRecords();
            _reservedSeq.TryRemove(threadId, out _);
            w.Global = g => ForgetThread(g, threadId);
            return true;
        }).ConfigureAwait(false);
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
        while (OldestQueued(DeletedThreads, deletedThreadsBeforeTs) is { } threadId)
        {
            await PurgeThreadAsync(threadId).ConfigureAwait(false);
            purged++;
        }

        CommitHandle last = default;
        while (OldestQueued(DeletedMessages, deletedMessagesBeforeTs) is { } item)
        {
            (string threadId, string messageKey) = ParseDeletedMessageItem(item);
            bool done;
            do
            {
                (last, done) = WriteThread(threadId, null, w => PurgeDeletedMessage(w, messageKey, item));
            }
            while (!done);
            purged++;
        }
        await _kv.WaitDurableAsync(last).ConfigureAwait(false);
        return purged;
    }

    private string? OldestQueued(Func<ChatTx, GlobalList> queueOf, long beforeTs)
    {
        GlobalList queue = queueOf(new ChatTx(_kv));
        return queue.Head is { } head && queue.Find(head) is { } node && node.Ts < beforeTs ? head : null;
    }

    /// <summary>One bounded step of removing a soft-deleted message; true once it is gone and dequeued.</summary>
    private static bool PurgeDeletedMessage(ThreadWrite w, string messageKey, string item)
    {
        if (w.Tx.Get(KeySpace.Message(w.ThreadId, messageKey), MessageEntry.Decode) is { Deleted: true }
            && !RemoveMessageRecords(w.Tx, w.ThreadId, messageKey, PurgeBatchOps, out _, out _))
        {
            return false;
        }

        w.Global = g => DeletedMessages(g).Remove(item);
        return true;
    }

    private bool BeginPurge(ThreadWrite w)
    {
        if (w.Meta is not { Purging: false } meta || w.State is not { } state)
        {
            return false;
        }

        bool wasLive = !meta.Deleted;
        if (wasLive)
        {
            UnlinkFromUser(w.Tx, meta);
            w.ThreadsDelta = -1;
            w.MessagesDelta = -state.LiveMessages;
        }
        meta.Deleted = meta.Purging = true;
        state.Deleted = true;
        state.LiveMessages = 0;
        state.UpdatedHead = state.UpdatedTail = null; // the links go with their messages
        w.Put(meta);
        w.Put(state);
        _reservedSeq.TryRemove(w.ThreadId, out _);
        // A live thread enters the retention queue at its head (time 0) so an interrupted purge is
        // finished by the next retention run whatever its cutoff.
        if (wasLive)
        {
            w.Global = g =>
            {
                GlobalList queue = DeletedThreads(g);
                g.Put(queue.NodeKey(w.ThreadId), new ListNode { Ts = 0 });
                if (queue.Head is { } head)
                {
                    queue.InsertBefore(w.ThreadId, head);
                }
                else
                {
                    queue.Append(w.ThreadId);
                }

                queue.Count++;
            };
        }
        return true;
    }

    /// <summary>Removes messages from the newest seq down, at most PurgeBatchOps records; true if more remain.</summary>
    private static bool PurgeSomeMessages(ThreadWrite w)
    {
        if (w.Meta is not { Purging: true } || w.State is not { SeqHighWater: > 0 } state)
        {
            return false;
        }

        var dequeued = new List<string>();
        int ops = 0;
        long seq = state.SeqHighWater;
        while (seq >= 1 && ops < PurgeBatchOps)
        {
            if (ChunkIndex.Chunk(w.Tx, w.ThreadId, seq) is not { } chunk)
            {
                seq = IndexChunk.ChunkOf(seq) * IndexChunk.Slots - 1; // nothing left in this chunk
                continue;
            }
            if (chunk.IsPresent(seq))
            {
                string messageKey = KeySpace.MessageKey(chunk.Ts[IndexChunk.SlotOf(seq)], seq);
                bool done = RemoveMessageRecords(w.Tx, w.ThreadId, messageKey, PurgeBatchOps - ops, out int removed, out bool wasDeleted);
                ops += removed;
                if (!done)
                {
                    break;
                }

                if (wasDeleted)
                {
                    dequeued.Add(DeletedMessageItem(w.ThreadId, messageKey));
                }
            }
            seq--;
        }
        state.SeqHighWater = Math.Max(seq, 0);
        w.Put(state);
        if (dequeued.Count > 0)
        {
            w.Global = g =>
            {
                GlobalList queue = DeletedMessages(g);
                foreach (string item in dequeued)
                {
                    queue.Remove(item);
                }
            };
        }
        return state.SeqHighWater > 0;
    }

    /// <summary>
    /// Deletes up to <paramref name="budget"/> of the message's records, oldest version first, and last
    /// the message itself with its link and index position. True once the message is gone.
    /// </summary>
    private static bool RemoveMessageRecords(ChatTx tx, string threadId, string messageKey, int budget, out int removed, out bool wasDeleted)
    {
        removed = 0;
        string key = KeySpace.Message(threadId, messageKey);
        MessageEntry? entry = tx.Get(key, MessageEntry.Decode);
        wasDeleted = entry?.Deleted ?? false;
        long seq = KeySpace.SeqOf(messageKey);
        if (entry is not null)
        {
            while (entry.OldestVersion < entry.Version && removed < budget)
            {
                tx.Delete(KeySpace.MessageVersion(threadId, messageKey, entry.OldestVersion));
                entry.OldestVersion++;
                removed++;
            }
            if (entry.OldestVersion < entry.Version || removed == budget)
            {
                tx.Put(key, entry); // progress, so the next step (or run) resumes here
                return false;
            }
            tx.Delete(key);
            removed++;
        }
        tx.Delete(KeySpace.MessageLink(threadId, messageKey));
        ChunkIndex.Update(tx, threadId, seq, c => c.Clear(seq));
        return true;
    }

    private static void ForgetThread(ChatTx g, string threadId)
    {
        Registry(g).Remove(threadId);
        DeletedThreads(g).Remove(threadId);
    }
}
