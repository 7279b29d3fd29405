// A user's list of live threads, by created or by updated order: ends in user:<u>:meta, links in the
// user:<u>:thread:<t> nodes.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class UserThreadList(ChatTx tx, string userId, UserMeta meta, bool byUpdated) : KvLinkedList
{
    public override string? Head
    {
        get => byUpdated ? meta.UpdatedHead : meta.CreatedHead;
        set
        {
            if (byUpdated)
            {
                meta.UpdatedHead = value;
            }
            else
            {
                meta.CreatedHead = value;
            }

            tx.Put(KeySpace.UserMeta(userId), meta);
        }
    }

    public override string? Tail
    {
        get => byUpdated ? meta.UpdatedTail : meta.CreatedTail;
        set
        {
            if (byUpdated)
            {
                meta.UpdatedTail = value;
            }
            else
            {
                meta.CreatedTail = value;
            }

            tx.Put(KeySpace.UserMeta(userId), meta);
        }
    }

    public override bool Contains(string id) => Find(id) is not null;

    public override string? Prev(string id) => Find(id) is { } n ? (byUpdated ? n.UpdatedPrev : n.CreatedPrev) : null;

    public override string? Next(string id) => Find(id) is { } n ? (byUpdated ? n.UpdatedNext : n.CreatedNext) : null;

    protected override void SetPrev(string id, string? value)
    {
        UserThreadNode n = Required(id);
        if (byUpdated)
        {
            n.UpdatedPrev = value;
        }
        else
        {
            n.CreatedPrev = value;
        }

        tx.Put(KeySpace.UserThreadNode(userId, id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        UserThreadNode n = Required(id);
        if (byUpdated)
        {
            n.UpdatedNext = value;
        }
        else
        {
            n.CreatedNext = value;
        }

        tx.Put(KeySpace.UserThreadNode(userId, id), n);
    }

    private UserThreadNode? Find(string id) => tx.Get(KeySpace.UserThreadNode(userId, id), UserThreadNode.Decode);

    private UserThreadNode Required(string id)
        => Find(id) ?? throw new InvalidDataException($"Thread list of user '{userId}' points at missing node '{id}'.");
}
