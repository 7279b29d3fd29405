// One page of a listing, in display order, with whether more items exist on either side.
namespace Prg.Storage.Chat;

/// <summary>
/// <see cref="HasBefore"/>/<see cref="HasAfter"/>: more items exist before the first / after the last
/// item in display order. <see cref="Total"/>: live items in the whole list.
/// <see cref="BeforeCursor"/>/<see cref="AfterCursor"/>: set when a page stopped scanning before it
/// found its items (a long run of deleted messages): the reference to continue from on that side,
/// instead of the first/last item's key.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasBefore, bool HasAfter, long Total, string? BeforeCursor = null, string? AfterCursor = null);
