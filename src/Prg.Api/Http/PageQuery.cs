// Pagination query parameters (spec/api.md §5): limit 1..1000 (default 50), at most one of
// before/after/anchor, sort_by created_ts|updated_ts. Errors are "invalid pagination: <reason>".
// The byte cap (server.max_response_bytes) rides along, so a page is cut by size as well as by limit.
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Http;

public static class PageQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    public static PageRequest Parse(HttpRequest request, long maxBytes = long.MaxValue, int defaultLimit = DefaultLimit)
    {
        var limit = defaultLimit;
        var limitText = Get(request, "limit"u8);
        if (limitText is not null && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, null, out limit) || limit < 1 || limit > MaxLimit))
        {
            throw Invalid($"limit must be an integer from 1 to {MaxLimit}");
        }
        var before = NonEmpty(Get(request, "before"u8));
        var after = NonEmpty(Get(request, "after"u8));
        var anchor = NonEmpty(Get(request, "anchor"u8));
        if ((before is null ? 0 : 1) + (after is null ? 0 : 1) + (anchor is null ? 0 : 1) > 1)
        {
            throw Invalid("only one of anchor, before, after can be specified");
        }
        var sortBy = Get(request, "sort_by"u8) switch
        {
            null or "" or "created_ts" => SortBy.CreatedTs,
            "updated_ts" => SortBy.UpdatedTs,
            _ => throw Invalid("sort_by must be created_ts or updated_ts"),
        };
        return new PageRequest { Limit = limit, Before = before, After = after, Anchor = anchor, SortBy = sortBy, MaxBytes = maxBytes };
    }

    private static string? Get(HttpRequest request, ReadOnlySpan<byte> name) =>
        QueryParameter.TryGet(request, name, out var value)
            ? value
            : throw Invalid($"{System.Text.Encoding.ASCII.GetString(name)} is not valid percent-encoded UTF-8");

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ApiException Invalid(string reason) => ApiException.BadRequest("invalid pagination: " + reason);

    /// <summary>Runs a listing; a reference key that is not in the list is the client's error.</summary>
    public static TPage Fetch<TPage>(Func<TPage> list)
    {
        try
        {
            return list();
        }
        catch (ChatKeyNotFoundException e) when (e.Kind == ChatKeyKind.PageAnchor)
        {
            throw Invalid("anchor not found");
        }
    }

    /// <summary>As <see cref="Fetch"/> for a listing that opens what it lists.</summary>
    public static async ValueTask<TPage> FetchAsync<TPage>(Func<ValueTask<TPage>> list)
    {
        try
        {
            return await list();
        }
        catch (ChatKeyNotFoundException e) when (e.Kind == ChatKeyKind.PageAnchor)
        {
            throw Invalid("anchor not found");
        }
    }
}
