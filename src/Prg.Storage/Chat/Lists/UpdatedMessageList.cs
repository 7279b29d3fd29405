// A thread's live messages in updated order: ends in thread:<t>:state, pointer-only MessageLink nodes.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class UpdatedMessageList(ChatTx tx, string threadId, ThreadMessages state) : NodeList(tx, ListNode.DecodeMessageLink)
{
    public override string? Head
    {
        get => state.UpdatedHead;
        set
        {
            state.UpdatedHead = value;
            Tx.Put(KeySpace.ThreadMessages(threadId), state);
        }
    }

    public override string? Tail
    {
        get => state.UpdatedTail;
        set
        {
            state.UpdatedTail = value;
            Tx.Put(KeySpace.ThreadMessages(threadId), state);
        }
    }

    protected override string Name => $"Updated-order list of thread '{threadId}'";

    public override string NodeKey(string id) => KeySpace.MessageLink(threadId, id);

    /// <summary>Links a message at its place by updated time (ties keep commit order), creating its node.</summary>
    public void Insert(string id, long updatedTs)
    {
        Tx.Put(NodeKey(id), new ListNode(RecordType.MessageLink) { Ts = updatedTs });
        // Writes timestamped before the lock can commit out of order: walk back past the newer ones.
        InsertFromTail(id, k => Required(k).Ts > updatedTs);
    }

    /// <summary>Unlinks a message and deletes its node.</summary>
    public void Remove(string id)
    {
        Unlink(id);
        Tx.Delete(NodeKey(id));
    }
}
