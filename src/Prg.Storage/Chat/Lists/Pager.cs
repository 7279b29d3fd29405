// Page arithmetic of spec/api.md §5 over a KvLinkedList: O(limit) pointer hops, never a scan.
namespace Prg.Storage.Chat.Lists;

/// <summary>
/// Display order is list order (oldest → newest) for messages and users, reversed (newest → oldest)
/// for threads. No reference: the newest <c>limit</c> items. <c>before=K</c>: the <c>limit</c> items just
/// before K in display order; <c>after=K</c>: just after; <c>anchor=K</c>: up to <c>limit</c> before, K, up to
/// <c>limit</c> after. HasBefore/HasAfter: more items exist beyond the page's first/last item (for an
/// empty page: whether the list continues on that side of the reference).
/// </summary>
internal static class Pager
{
    public static (List<string> Ids, bool HasBefore, bool HasAfter) Page(KvLinkedList list, PageRequest request, bool newestFirst)
    {
        request.Validate();
        Func<string, string?> forward = newestFirst ? list.Prev : list.Next;
        Func<string, string?> backward = newestFirst ? list.Next : list.Prev;
        string? reference = request.Before ?? request.After ?? request.Anchor;
        if (reference is not null && !list.Contains(reference))
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);

        var ids = new List<string>(Math.Min(request.Limit * (request.Anchor is null ? 1 : 2) + 1, 2048));
        if (reference is null)
        {
            Walk(list.Tail, list.Prev, request.Limit, ids);
            if (!newestFirst)
                ids.Reverse();
        }
        else if (request.Before is not null)
        {
            Walk(backward(reference), backward, request.Limit, ids);
            ids.Reverse();
        }
        else if (request.After is not null)
        {
            Walk(forward(reference), forward, request.Limit, ids);
        }
        else
        {
            Walk(backward(reference), backward, request.Limit, ids);
            ids.Reverse();
            ids.Add(reference);
            Walk(forward(reference), forward, request.Limit, ids);
        }

        if (ids.Count == 0)
            return (ids, request.After is not null, request.Before is not null);
        return (ids, backward(ids[0]) is not null, forward(ids[^1]) is not null);
    }

    private static void Walk(string? start, Func<string, string?> step, int limit, List<string> into)
    {
        for (string? id = start; id is not null && limit > 0; id = step(id), limit--)
            into.Add(id);
    }
}
