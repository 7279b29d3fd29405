// Routes that read a JSON body take application/json in UTF-8 and nothing else: a form, multipart or
// text body, or JSON in another charset, is a 415 instead of bytes guessed at. A request without a
// Content-Type is read as JSON, as the ProgressDB service reads it (docs/request-bodies.md).
using System.Text;
using Prg.Http;

namespace Prg.Api.Http;

public static class JsonContentType
{
    public const string Refusal = "unsupported content type: request bodies must be application/json (UTF-8)";

    /// <summary>The handler, behind the Content-Type check (for routes that read a JSON body).</summary>
    public static RequestHandler Required(RequestHandler handler) => ctx =>
    {
        if (ctx.Request.TryGetHeader("content-type"u8, out var value) && !IsJson(value))
        {
            throw new ApiException(415, Refusal);
        }
        return handler(ctx);
    };

    /// <summary>application/json, any case, with any parameters but a charset other than UTF-8.</summary>
    public static bool IsJson(ReadOnlySpan<byte> contentType)
    {
        var rest = contentType;
        if (!Ascii.EqualsIgnoreCase(NextPart(ref rest), "application/json"u8))
        {
            return false;
        }
        while (!rest.IsEmpty)
        {
            var parameter = NextPart(ref rest);
            var equals = parameter.IndexOf((byte)'=');
            if (equals > 0 && Ascii.EqualsIgnoreCase(parameter[..equals].Trim(" \t"u8), "charset"u8)
                && !Ascii.EqualsIgnoreCase(parameter[(equals + 1)..].Trim(" \t"u8).Trim((byte)'"'), "utf-8"u8))
            {
                return false;
            }
        }
        return true;
    }

    // The text before the next ';' (trimmed); rest moves past it.
    private static ReadOnlySpan<byte> NextPart(ref ReadOnlySpan<byte> rest)
    {
        var semicolon = rest.IndexOf((byte)';');
        var part = semicolon < 0 ? rest : rest[..semicolon];
        rest = semicolon < 0 ? default : rest[(semicolon + 1)..];
        return part.Trim(" \t"u8);
    }
}
