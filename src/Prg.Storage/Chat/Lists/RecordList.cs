// One of the two lists (created or updated order) an owner record keeps over node records: the
// owner holds head and tail, each node its prev and next. Subclasses name the keys.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal abstract class RecordList<TNode> : KvLinkedList
    where TNode : class, IListLinks
{
    private readonly ChatTx _tx;
    private readonly IListHeads _owner;
    private readonly string _ownerKey;
    private readonly bool _byUpdated;

    protected RecordList(ChatTx tx, IListHeads owner, string ownerKey, bool byUpdated)
    {
        _tx = tx;
        _owner = owner;
        _ownerKey = ownerKey;
        _byUpdated = byUpdated;
    }

    protected abstract string NodeKey(string id);

    protected abstract RecordDecoder<TNode> Decoder { get; }

    /// <summary>Describes the list for the error raised when it points at a missing node.</summary>
    protected abstract string Describe { get; }

    public TNode? Find(string id) => _tx.Get(NodeKey(id), Decoder);

    public override string? Head
    {
        get => _byUpdated ? _owner.UpdatedHead : _owner.CreatedHead;
        set
        {
            if (_byUpdated)
                _owner.UpdatedHead = value;
            else
                _owner.CreatedHead = value;
            _tx.Put(_ownerKey, _owner);
        }
    }

    public override string? Tail
    {
        get => _byUpdated ? _owner.UpdatedTail : _owner.CreatedTail;
        set
        {
            if (_byUpdated)
                _owner.UpdatedTail = value;
            else
                _owner.CreatedTail = value;
            _tx.Put(_ownerKey, _owner);
        }
    }

    public override string? Prev(string id)
    {
        TNode? n = Find(id);
        return n is null ? null : _byUpdated ? n.UpdatedPrev : n.CreatedPrev;
    }

    public override string? Next(string id)
    {
        TNode? n = Find(id);
        return n is null ? null : _byUpdated ? n.UpdatedNext : n.CreatedNext;
    }

    protected override void SetPrev(string id, string? value)
    {
        TNode n = Required(id);
        if (_byUpdated)
            n.UpdatedPrev = value;
        else
            n.CreatedPrev = value;
        _tx.Put(NodeKey(id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        TNode n = Required(id);
        if (_byUpdated)
            n.UpdatedNext = value;
        else
            n.CreatedNext = value;
        _tx.Put(NodeKey(id), n);
    }

    private TNode Required(string id)
        => Find(id) ?? throw new InvalidDataException($"{Describe} points at missing node '{id}'.");
}
