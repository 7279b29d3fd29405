// A user's list of live threads, by created or by updated order; pointers in user:<u>:thread:<t> nodes.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class UserThreadList : KvLinkedList
{
    private readonly ChatTx _tx;
    private readonly string _userId;
    private readonly UserMeta _meta;
    private readonly bool _byUpdated;

    public UserThreadList(ChatTx tx, string userId, UserMeta meta, bool byUpdated)
    {
        _tx = tx;
        _userId = userId;
        _meta = meta;
        _byUpdated = byUpdated;
    }

    public override string? Head
    {
        get => _byUpdated ? _meta.UpdatedHead : _meta.CreatedHead;
        set
        {
            if (_byUpdated)
                _meta.UpdatedHead = value;
            else
                _meta.CreatedHead = value;
            _tx.Put(KeySpace.UserMeta(_userId), _meta);
        }
    }

    public override string? Tail
    {
        get => _byUpdated ? _meta.UpdatedTail : _meta.CreatedTail;
        set
        {
            if (_byUpdated)
                _meta.UpdatedTail = value;
            else
                _meta.CreatedTail = value;
            _tx.Put(KeySpace.UserMeta(_userId), _meta);
        }
    }

    public UserThreadNode? Find(string threadId) => _tx.Get(KeySpace.UserThreadNode(_userId, threadId), UserThreadNode.Decode);

    public override bool Contains(string id) => Find(id) is not null;

    public override string? Prev(string id)
    {
        UserThreadNode? n = Find(id);
        return n is null ? null : _byUpdated ? n.UpdatedPrev : n.CreatedPrev;
    }

    public override string? Next(string id)
    {
        UserThreadNode? n = Find(id);
        return n is null ? null : _byUpdated ? n.UpdatedNext : n.CreatedNext;
    }

    protected override void SetPrev(string id, string? value)
    {
        UserThreadNode n = Required(id);
        if (_byUpdated)
            n.UpdatedPrev = value;
        else
            n.CreatedPrev = value;
        _tx.Put(KeySpace.UserThreadNode(_userId, id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        UserThreadNode n = Required(id);
        if (_byUpdated)
            n.UpdatedNext = value;
        else
            n.CreatedNext = value;
        _tx.Put(KeySpace.UserThreadNode(_userId, id), n);
    }

    private UserThreadNode Required(string id)
        => Find(id) ?? throw new InvalidDataException($"Thread list of user '{_userId}' points at missing node '{id}'.");
}
