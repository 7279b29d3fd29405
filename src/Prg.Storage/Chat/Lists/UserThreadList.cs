// A user's list of live threads, by created or by updated order: ends in user:<u>:meta, links in the
// user:<u>:thread:<t> nodes. Both orders share the records; byUpdated picks which pair of fields.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class UserThreadList(ChatTx tx, string userId, UserMeta meta, bool byUpdated) : KvLinkedList
{
    public override string? Head
    {
        get => HeadOf(meta);
        set
        {
            HeadOf(meta) = value;
            tx.Put(KeySpace.UserMeta(userId), meta);
        }
    }

    public override string? Tail
    {
        get => TailOf(meta);
        set
        {
            TailOf(meta) = value;
            tx.Put(KeySpace.UserMeta(userId), meta);
        }
    }

    public override bool Contains(string id) => Find(id) is not null;

    public override string? Prev(string id) => Find(id) is { } n ? PrevOf(n) : null;

    public override string? Next(string id) => Find(id) is { } n ? NextOf(n) : null;

    protected override void SetPrev(string id, string? value)
    {
        UserThreadNode n = Required(id);
        PrevOf(n) = value;
        tx.Put(KeySpace.UserThreadNode(userId, id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        UserThreadNode n = Required(id);
        NextOf(n) = value;
        tx.Put(KeySpace.UserThreadNode(userId, id), n);
    }

    private ref string? HeadOf(UserMeta m) => ref byUpdated ? ref m.UpdatedHead : ref m.CreatedHead;

    private ref string? TailOf(UserMeta m) => ref byUpdated ? ref m.UpdatedTail : ref m.CreatedTail;

    private ref string? PrevOf(UserThreadNode n) => ref byUpdated ? ref n.UpdatedPrev : ref n.CreatedPrev;

    private ref string? NextOf(UserThreadNode n) => ref byUpdated ? ref n.UpdatedNext : ref n.CreatedNext;

    private UserThreadNode? Find(string id) => tx.Get(KeySpace.UserThreadNode(userId, id), UserThreadNode.Decode);

    private UserThreadNode Required(string id)
        => Find(id) ?? throw new InvalidDataException($"Thread list of user '{userId}' points at missing node '{id}'.");
}
