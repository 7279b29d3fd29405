// Doubly linked list whose head/tail and prev/next pointers live in KV records (through a ChatTx).
namespace Prg.Storage.Chat.Lists;

/// <summary>
/// List order is head = oldest, tail = newest. Subclasses map the pointers onto their records;
/// nodes must already exist (the caller creates the node record) before they are linked.
/// Counts are kept by the owning record, not here.
/// </summary>
internal abstract class KvLinkedList
{
    public abstract string? Head { get; set; }

    public abstract string? Tail { get; set; }

    /// <summary>True if <paramref name="id"/> is currently linked into this list.</summary>
    public abstract bool Contains(string id);

    /// <summary>The previous id, or null at the head (or if the node vanished under a concurrent reader).</summary>
    public abstract string? Prev(string id);

    /// <summary>The next id, or null at the tail (or if the node vanished under a concurrent reader).</summary>
    public abstract string? Next(string id);

    protected abstract void SetPrev(string id, string? value);

    protected abstract void SetNext(string id, string? value);

    public void Append(string id)
    {
        string? tail = Tail;
        SetPrev(id, tail);
        SetNext(id, null);
        SetNextOfOrHead(tail, id);
        Tail = id;
    }

    /// <summary>
    /// Links <paramref name="id"/> after every node that sorts before it, walking back from the tail
    /// while <paramref name="isNewer"/> holds: a new item almost always belongs at the tail, and one
    /// that committed late passes only the few items that overtook it.
    /// </summary>
    public void InsertFromTail(string id, Func<string, bool> isNewer)
    {
        string? newer = null;
        for (string? k = Tail; k is not null && isNewer(k); k = Prev(k))
        {
            newer = k;
        }

        if (newer is null)
        {
            Append(id);
        }
        else
        {
            InsertBefore(id, newer);
        }
    }

    public void InsertBefore(string id, string before)
    {
        string? prev = Prev(before);
        SetPrev(id, prev);
        SetNext(id, before);
        SetPrev(before, id);
        SetNextOfOrHead(prev, id);
    }

    public void Unlink(string id)
    {
        string? prev = Prev(id);
        string? next = Next(id);
        SetNextOfOrHead(prev, next);
        if (next is null)
        {
            Tail = prev;
        }
        else
        {
            SetPrev(next, prev);
        }

        SetPrev(id, null);
        SetNext(id, null);
    }

    public void MoveToTail(string id)
    {
        if (Tail == id)
        {
            return;
        }

        Unlink(id);
        Append(id);
    }

    /// <summary>Points <paramref name="node"/>'s next at <paramref name="id"/>, or the head when there is no node before it.</summary>
    private void SetNextOfOrHead(string? node, string? id)
    {
        if (node is null)
        {
            Head = id;
        }
        else
        {
            SetNext(node, id);
        }
    }
}
