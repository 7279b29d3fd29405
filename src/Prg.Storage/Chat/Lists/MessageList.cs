// A thread's list of live messages, by created (seq) order or by updated order; pointers in the message records.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class MessageList : KvLinkedList
{
    private readonly ChatTx _tx;
    private readonly ThreadMeta _meta;
    private readonly bool _byUpdated;

    public MessageList(ChatTx tx, ThreadMeta meta, bool byUpdated)
    {
        _tx = tx;
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
            _tx.Put(KeySpace.ThreadMeta(_meta.Id), _meta);
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
            _tx.Put(KeySpace.ThreadMeta(_meta.Id), _meta);
        }
    }

    public MessageEntry? Find(string key) => _tx.Get(KeySpace.Message(_meta.Id, key), MessageEntry.Decode);

    public override bool Contains(string id) => Find(id) is { Deleted: false };

    public override string? Prev(string id)
    {
        MessageEntry? m = Find(id);
        return m is null ? null : _byUpdated ? m.UpdatedPrev : m.CreatedPrev;
    }

    public override string? Next(string id)
    {
        MessageEntry? m = Find(id);
        return m is null ? null : _byUpdated ? m.UpdatedNext : m.CreatedNext;
    }

    protected override void SetPrev(string id, string? value)
    {
        MessageEntry m = Required(id);
        if (_byUpdated)
            m.UpdatedPrev = value;
        else
            m.CreatedPrev = value;
        _tx.Put(KeySpace.Message(_meta.Id, id), m);
    }

    protected override void SetNext(string id, string? value)
    {
        MessageEntry m = Required(id);
        if (_byUpdated)
            m.UpdatedNext = value;
        else
            m.CreatedNext = value;
        _tx.Put(KeySpace.Message(_meta.Id, id), m);
    }

    private MessageEntry Required(string id)
        => Find(id) ?? throw new InvalidDataException($"Message list of thread '{_meta.Id}' points at missing message '{id}'.");
}
