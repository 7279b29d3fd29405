// What Pager needs from a list: walks from a reference in either direction, and item loading.
using System.Diagnostics.CodeAnalysis;

namespace Prg.Storage.Chat.Lists;

/// <summary>A walk over ids, starting next to (never at) its reference, in one direction.</summary>
internal interface IPageWalk
{
    bool TryNext([NotNullWhen(true)] out string? id);

    /// <summary>Set when the walk stopped at its scan budget: the reference to continue from.</summary>
    string? Cursor { get; }
}

internal interface IPageSource<T> where T : class
{
    /// <summary>Throws <see cref="ChatKeyNotFoundException"/> unless the list can page from <paramref name="reference"/>
    /// (for an anchor, it must be a live item).</summary>
    void CheckReference(string reference, bool isAnchor);

    /// <summary>Ids next to <paramref name="from"/> (null: from the newest end, towards the oldest).</summary>
    IPageWalk Walk(string? from, bool towardNewest);

    T? Load(string id);

    /// <summary>Estimated rendered size of an item, for <see cref="PageRequest.MaxBytes"/>.</summary>
    int SizeOf(T item);
}
