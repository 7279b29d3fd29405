// A KvLinkedList whose links live in ListNode records, one per item at NodeKey(id); the subclass keeps
// the list's ends in its own record.
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat.Lists;

internal abstract class NodeList(ChatTx tx, DurableKv.ValueDecoder<ListNode> decode) : KvLinkedList
{
    protected ChatTx Tx => tx;

    /// <summary>How errors name the list.</summary>
    protected abstract string Name { get; }

    public abstract string NodeKey(string id);

    public ListNode? Find(string id) => tx.Get(NodeKey(id), decode);

    public override bool Contains(string id) => Find(id) is not null;

    public override string? Prev(string id) => Find(id)?.Prev;

    public override string? Next(string id) => Find(id)?.Next;

    protected override void SetPrev(string id, string? value)
    {
        ListNode n = Required(id);
        n.Prev = value;
        tx.Put(NodeKey(id), n);
    }

    protected override void SetNext(string id, string? value)
    {
        ListNode n = Required(id);
        n.Next = value;
        tx.Put(NodeKey(id), n);
    }

    protected ListNode Required(string id)
        => Find(id) ?? throw new InvalidDataException($"{Name} points at missing node '{id}'.");
}
