// IPageSource over a KvLinkedList (only live items are linked, so every step is an item).
using System.Diagnostics.CodeAnalysis;

namespace Prg.Storage.Chat.Lists;

internal sealed class LinkedSource<T>(KvLinkedList list, Func<string, T?> load, Func<T, int> sizeOf) : IPageSource<T>
    where T : class
{
    public void CheckReference(string reference, bool isAnchor)
    {
        if (!list.Contains(reference))
        {
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
        }
    }

    public IPageWalk Walk(string? from, bool towardNewest) => new LinkedWalk(list, from, towardNewest);

    public T? Load(string id) => load(id);

    public int SizeOf(T item) => sizeOf(item);

    private sealed class LinkedWalk(KvLinkedList list, string? from, bool towardNewest) : IPageWalk
    {
        private string? _at = from;
        private bool _started;

        public string? Cursor => null;

        public bool TryNext([NotNullWhen(true)] out string? id)
        {
            if (!_started && _at is null)
            {
                _at = list.Tail;
            }
            else if (_at is not null)
            {
                _at = towardNewest ? list.Next(_at) : list.Prev(_at);
            }

            _started = true;
            id = _at;
            return id is not null;
        }
    }
}
