// Query parameters as the API reads them: a parameter that is present but not valid percent-encoded
// UTF-8 must be refused, not mistaken for an absent one (which would quietly change what is asked for).
using Prg.Http;

namespace Prg.Api.Http;

public static class QueryParameter
{
    /// <summary>
    /// The decoded value (null when the parameter is absent); false when it is present but its
    /// percent-encoding does not decode to valid UTF-8.
    /// </summary>
    public static bool TryGet(HttpRequest request, ReadOnlySpan<byte> name, out string? value)
    {
        if (!request.TryGetQuery(name, out var raw))
        {
            value = null;
            return true;
        }
        value = request.GetQueryString(name);
        return value is not null;
    }
}
