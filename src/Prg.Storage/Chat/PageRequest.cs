// Paging parameters (spec/api.md §5); the Api validates them, Storage re-checks the basics.
namespace Prg.Storage.Chat;

/// <summary>At most one of <see cref="Before"/>, <see cref="After"/>, <see cref="Anchor"/>.</summary>
public sealed record PageRequest
{
    public int Limit { get; init; } = 50;
    public string? Before { get; init; }
    public string? After { get; init; }
    public string? Anchor { get; init; }
    public SortBy SortBy { get; init; } = SortBy.CreatedTs;

    /// <summary>
    /// A page stops adding items once their estimated rendered size would pass this (it always holds
    /// at least one item) and reports more on that side.
    /// </summary>
    public long MaxBytes { get; init; } = long.MaxValue;

    internal string? Reference => Before ?? After ?? Anchor;

    internal void Validate()
    {
        if (Limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, "limit must be at least 1");
        }

        if (MaxBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "MaxBytes must be at least 1");
        }

        int refs = (Before is null ? 0 : 1) + (After is null ? 0 : 1) + (Anchor is null ? 0 : 1);
        if (refs > 1)
        {
            throw new ArgumentException("Only one of anchor, before, after can be specified.");
        }
    }
}
