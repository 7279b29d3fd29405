// A store-wide list (users, thread registry, deleted queues): a ListHead record plus ListNode records.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class GlobalList : KvLinkedList
{
    private readonly ChatTx _tx;
    private readonly string _headKey;
    private readonly Func<string, string> _nodeKey;
    private readonly ListHead _head;

    public GlobalList(ChatTx tx, string headKey, Func<string, string> nodeKey)
    {
        _tx = tx;
        _headKey = headKey;
        _nodeKey = nodeKey;
        _head = tx.Get(headKey, ListHead.Decode) ?? new ListHead();
    }

    public long Count
    {
        get => _head.Count;
        set
        {
            _head.Count = value;
            _tx.Put(_headKey, _head);
        }
    }

    public override string? Head
    {
        get => _head.Head;
        set
        {
            _head.Head = value;
            _tx.Put(_headKey, _head);
        }
    }

    public override string? Tail
    {
        get => _head.Tail;
        set
        {
            _head.Tail = value;
            _tx.Put(_headKey, _head);
        }
    }

    public string NodeKey(string id) => _nodeKey(id);

    public ListNode? Find(string id) => _tx.Get(NodeKey(id), ListNode.Decode);

    public override bool Contains(string id) => Find(id) is not null;

    public override string? Prev(string id) => Find(id)?.Prev;

    public override string? Next(string id) => Find(id)?.Next;

    /// <summary>Creates the node for <paramref name="id"/> and appends it, counting it.</summary>
    public void Add(string id, long ts = 0)
    {
        _tx.Put(NodeKey(id), new ListNode { Ts = ts });
        Append(id);
        Count++;
    }

    /// <summary>Unlinks and deletes the node for <paramref name="id"/> if present.</summary>
    public bool Remove(string id)
    {
        if (!Contains(id))
        {
            return false;
        }

        Unlink(id);
        _tx.Delete(NodeKey(id));
        Count--;
        return true;
    }

    protected override void SetPrev(string id, string? value)
    {
        ListNode n = Required(id);
        n.Prev = value;
        _tx.Put(NodeKey(id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        ListNode n = Required(id);
        n.Next = value;
        _tx.Put(NodeKey(id), n);
    }

    private ListNode Required(string id)
        => Find(id) ?? throw new InvalidDataException($"List '{_headKey}' points at missing node '{id}'.");
}
