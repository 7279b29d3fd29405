// One page of a listing, in display order, with whether more items exist on either side.
namespace Prg.Storage.Chat;

/// <summary>
/// <see cref="HasBefore"/>/<see cref="HasAfter"/>: more items exist before the first / after the last
/// item in display order. <see cref="Total"/>: live items in the whole list.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasBefore, bool HasAfter, long Total);
