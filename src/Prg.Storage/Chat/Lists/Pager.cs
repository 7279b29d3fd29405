// Page arithmetic of spec/api.md §5 over any IPageSource: O(limit) item reads, never a scan.
namespace Prg.Storage.Chat.Lists;

/// <summary>
/// Display order is oldest → newest for messages, users and versions, newest → oldest for threads.
/// No reference: the newest <c>limit</c> items. <c>before=K</c>: the <c>limit</c> items just before K in
/// display order; <c>after=K</c>: just after; <c>anchor=K</c>: up to <c>limit</c> before, K, up to <c>limit</c>
/// after. HasBefore/HasAfter: more items exist beyond the page's first/last item (for an empty page:
/// whether the list continues on that side of the reference). A page also stops at
/// <see cref="PageRequest.MaxBytes"/> (reporting more on that side) and when a walk runs out of scan
/// budget (reporting more, with a cursor to continue from).
/// </summary>
internal static class Pager
{
    public static Page<T> Page<T>(IPageSource<T> source, PageRequest request, bool newestFirst, long total) where T : class
    {
        request.Validate();
        var bytes = new ByteBudget(request.MaxBytes);
        string? reference = request.Reference;
        if (reference is not null)
        {
            source.CheckReference(reference, isAnchor: request.Anchor is not null);
        }

        if (reference is null)
        {
            IPageWalk walk = source.Walk(null, towardNewest: false);
            (List<T> items, bool more) = Collect(source, walk, request.Limit, ref bytes);
            if (newestFirst)
            {
                return new Page<T>(items, false, more, total, AfterCursor: walk.Cursor);
            }

            items.Reverse();
            return new Page<T>(items, more, false, total, BeforeCursor: walk.Cursor);
        }
        // Display-backward is towards the oldest for messages, towards the newest for threads.
        if (request.Before is not null)
        {
            IPageWalk walk = source.Walk(reference, towardNewest: newestFirst);
            (List<T> items, bool more) = Collect(source, walk, request.Limit, ref bytes);
            items.Reverse();
            return new Page<T>(items, more, true, total, BeforeCursor: walk.Cursor);
        }
        if (request.After is not null)
        {
            IPageWalk walk = source.Walk(reference, towardNewest: !newestFirst);
            (List<T> items, bool more) = Collect(source, walk, request.Limit, ref bytes);
            return new Page<T>(items, true, more, total, AfterCursor: walk.Cursor);
        }

        T anchor = source.Load(reference) ?? throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
        bytes.TryTake(source.SizeOf(anchor));
        IPageWalk back = source.Walk(reference, towardNewest: newestFirst);
        (List<T> page, bool moreBefore) = Collect(source, back, request.Limit, ref bytes);
        page.Reverse();
        page.Add(anchor);
        IPageWalk forward = source.Walk(reference, towardNewest: !newestFirst);
        (List<T> after, bool moreAfter) = Collect(source, forward, request.Limit, ref bytes);
        page.AddRange(after);
        return new Page<T>(page, moreBefore, moreAfter, total, back.Cursor, forward.Cursor);
    }

    /// <summary>Up to <paramref name="limit"/> items in walk order, and whether the walk has more.</summary>
    private static (List<T> Items, bool More) Collect<T>(IPageSource<T> source, IPageWalk walk, int limit, ref ByteBudget bytes) where T : class
    {
        var items = new List<T>(Math.Min(limit, 256));
        while (items.Count < limit)
        {
            if (!walk.TryNext(out string? id))
            {
                return (items, walk.Cursor is not null);
            }

            if (source.Load(id) is not { } item)
            {
                continue;
            }

            if (!bytes.TryTake(source.SizeOf(item)))
            {
                return (items, true);
            }

            items.Add(item);
        }
        return (items, walk.TryNext(out _) || walk.Cursor is not null);
    }

    /// <summary>Bytes left for a page; the first item always fits.</summary>
    private struct ByteBudget(long max)
    {
        private long _used;

        public bool TryTake(long size)
        {
            if (_used > 0 && size > max - _used)
            {
                return false;
            }

            _used += size;
            return true;
        }
    }
}
