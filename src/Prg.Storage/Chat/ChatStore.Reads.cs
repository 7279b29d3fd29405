// Read state: the thread owner's read mark (thread:<t>:read), moved forward only, with a `read` event on
// the owner's inbox feed; thread reads and listings carry it with an O(1) unread count (ReadMark.Unread).
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

/// <summary>The read mark after a MarkRead: the newest message read and the messages posted after it.</summary>
public sealed record ReadState(string? LastRead, long Unread);

public sealed partial class ChatStore
{
    /// <summary>
    /// Marks the thread read up to <paramref name="messageKey"/> (a message of the thread, deleted or
    /// not); a key older than the current mark leaves it where it is. Null if the thread is missing or
    /// deleted, or the message is not in it.
    /// </summary>
    public async ValueTask<ReadState?> MarkReadAsync(string threadId, string messageKey, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out long seq) || ReadMeta(threadId) is not { Deleted: false } owner)
        {
            return null;
        }

        return await WriteThreadAsync(threadId, owner.Author, w =>
        {
            if (w.State is not { Deleted: false } state || w.Tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode) is null)
            {
                return null;
            }

            string key = KeySpace.ThreadRead(threadId);
            ReadMark mark = w.Tx.Get(key, ReadMark.Decode) ?? new ReadMark();
            if (seq > mark.Seq)
            {
                mark.UpTo = messageKey;
                mark.Seq = seq;
                w.Tx.Put(key, mark);
                w.EmitInbox(owner.Author, ChatEventKind.Read, ts, messageKey);
            }
            return new ReadState(mark.UpTo, mark.Unread(state));
        }).ConfigureAwait(false);
    }
}
