// Query parameters as the API reads them. A parameter that is present but not valid percent-encoded
// UTF-8 must be refused, not mistaken for an absent one; one given twice (?author=alice&author=bob,
// ?limit=1000&limit=0) is refused too, since servers and proxies disagree on which one counts.
using Prg.Http;

namespace Prg.Api.Http;

public static class QueryParameter
{
    /// <summary>
    /// The decoded value (null when the parameter is absent); false when it is present but its
    /// percent-encoding does not decode to valid UTF-8.
    /// </summary>
    /// <exception cref="ApiException">400: the parameter is given more than once.</exception>
    public static bool TryGet(HttpRequest request, ReadOnlySpan<byte> name, out string? value)
    {
        var count = Count(request.Query, name);
        if (count > 1)
        {
            throw ApiException.BadRequest($"query parameter {System.Text.Encoding.ASCII.GetString(name)} is given more than once");
        }
        value = count == 0 ? null : request.GetQueryString(name);
        return count == 0 || value is not null;
    }

    private static int Count(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name)
    {
        var count = 0;
        foreach (var range in query.Split((byte)'&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf((byte)'=');
            if ((equals < 0 ? pair : pair[..equals]).SequenceEqual(name))
            {
                count++;
            }
        }
        return count;
    }
}
