// A thread's live messages in updated order: ends in thread:<t>:state, pointer-only MessageLink nodes.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class UpdatedMessageList(ChatTx tx, string threadId, ThreadMessages state) : KvLinkedList
{
    public override string? Head
    {
        get => state.UpdatedHead;
        set
        {
            state.UpdatedHead = value;
            tx.Put(KeySpace.ThreadMessages(threadId), state);
        }
    }

    public override string? Tail
    {
        get => state.UpdatedTail;
        set
        {
            state.UpdatedTail = value;
            tx.Put(KeySpace.ThreadMessages(threadId), state);
        }
    }

    public MessageLink? Find(string id) => tx.Get(KeySpace.MessageLink(threadId, id), MessageLink.Decode);

    public override bool Contains(string id) => Find(id) is not null;

    public override string? Prev(string id) => Find(id)?.Prev;

    public override string? Next(string id) => Find(id)?.Next;

    /// <summary>Links a message at its place by updated time (ties keep commit order), creating its node.</summary>
    public void Insert(string id, long updatedTs)
    {
        tx.Put(KeySpace.MessageLink(threadId, id), new MessageLink { UpdatedTs = updatedTs });
        // Writes timestamped before the lock can commit out of order: walk back past the newer ones.
        InsertFromTail(id, k => Required(k).UpdatedTs > updatedTs);
    }

    /// <summary>Unlinks a message and deletes its node.</summary>
    public void Remove(string id)
    {
        Unlink(id);
        tx.Delete(KeySpace.MessageLink(threadId, id));
    }

    protected override void SetPrev(string id, string? value)
    {
        MessageLink n = Required(id);
        n.Prev = value;
        tx.Put(KeySpace.MessageLink(threadId, id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        MessageLink n = Required(id);
        n.Next = value;
        tx.Put(KeySpace.MessageLink(threadId, id), n);
    }

    private MessageLink Required(string id)
        => Find(id) ?? throw new InvalidDataException($"Updated-order list of thread '{threadId}' points at missing message '{id}'.");
}
