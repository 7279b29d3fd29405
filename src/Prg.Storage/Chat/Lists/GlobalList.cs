// A store-wide list (users, thread registry, deleted queues): a ListHead record plus ListNode records.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class GlobalList : NodeList
{
    private readonly string _headKey;
    private readonly Func<string, string> _nodeKey;
    private readonly ListHead _head;

    public GlobalList(ChatTx tx, string headKey, Func<string, string> nodeKey) : base(tx, ListNode.Decode)
    {
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
            Tx.Put(_headKey, _head);
        }
    }

    public override string? Head
    {
        get => _head.Head;
        set
        {
            _head.Head = value;
            Tx.Put(_headKey, _head);
        }
    }

    public override string? Tail
    {
        get => _head.Tail;
        set
        {
            _head.Tail = value;
            Tx.Put(_headKey, _head);
        }
    }

    protected override string Name => $"List '{_headKey}'";

    public override string NodeKey(string id) => _nodeKey(id);

    /// <summary>Creates the node for <paramref name="id"/> and appends it, counting it.</summary>
    public void Add(string id, long ts = 0)
    {
        Tx.Put(NodeKey(id), new ListNode { Ts = ts });
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
        Tx.Delete(NodeKey(id));
        Count--;
        return true;
    }
}
