// Importing messages under the keys they had in another prg (export/import keeps keys and order).
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>
    /// A slot for a message that keeps the key <paramref name="messageKey"/> (<c>&lt;ts&gt;-&lt;seq&gt;</c>, as
    /// another prg made it): its timestamp and seq become the message's. Later reservations in the
    /// thread get higher seqs. Write it with <see cref="CreateMessageAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a prg message key.</exception>
    /// <exception cref="ChatKeyNotFoundException">The thread does not exist or is deleted.</exception>
    public MessageSlot ReserveImportedMessage(string threadId, string messageKey)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        if (!KeySpace.TryParseMessageKey(messageKey, out long ts, out long seq))
        {
            throw new ArgumentException($"'{messageKey}' is not a prg message key.", nameof(messageKey));
        }

        lock (ThreadLock(threadId))
        {
            ThreadMessages? state = new ChatTx(_kv).Get(KeySpace.ThreadMessages(threadId), ThreadMessages.Decode);
            if (state is null || state.Deleted)
            {
                throw new ChatKeyNotFoundException(ChatKeyKind.Thread, threadId);
            }

            long reserved = _reservedSeq.TryGetValue(threadId, out long last) ? last : state.SeqHighWater;
            if (seq > reserved)
            {
                _reservedSeq[threadId] = seq;
            }
        }
        return new MessageSlot(threadId, messageKey, seq, ts);
    }
}
