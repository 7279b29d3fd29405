// The rules that make a request body portable JSON: read the same way by every common parser (Python's
// json, JavaScript's JSON.parse, Go, System.Text.Json). Message bodies are stored and served verbatim,
// so a value one of them cannot read would later break every page it is listed on, for every client.
// The rules follow I-JSON (RFC 7493): UTF-8, no unpaired surrogate escapes, numbers an IEEE double
// holds; plus a bound on nesting and on a number's length (docs/request-bodies.md).
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Prg.Api.Http;

public static class PortableJson
{
    /// <summary>
    /// Objects and arrays nest at most this deep (the body's own object counts). A stored body sits three
    /// levels down in a page, more in exports and events; 32 keeps every page within the tightest common
    /// parser limit, System.Text.Json's default of 64.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>A number literal is at most this many characters (Python refuses integers over 4,300 digits).</summary>
    public const int MaxNumberLength = 64;

    // The walk below refuses depth itself, with its own message; the reader's limit sits above it.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth + 1 };

    /// <summary>Parser options for a text <see cref="Check"/> accepted.</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = MaxDepth + 1 };

    /// <summary>Refuses, with a 400 "invalid JSON: ..." in our own words, a text that is not portable JSON.</summary>
    public static void Check(ReadOnlySpan<byte> json)
    {
        // The reader does not check the UTF-8 inside strings.
        if (!Utf8.IsValid(json))
        {
            throw Invalid("body is not valid UTF-8");
        }
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var depth = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (++depth > MaxDepth)
                        {
                            throw Invalid($"objects and arrays nest deeper than {MaxDepth} levels at {Position(json, reader.TokenStartIndex)}");
                        }
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        depth--;
                        break;
                    case JsonTokenType.PropertyName or JsonTokenType.String:
                        if (reader.ValueIsEscaped && !IsText(ref reader))
                        {
                            var what = reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string";
                            throw Invalid($"the {what} at {Position(json, reader.TokenStartIndex)} is not valid Unicode (an unpaired surrogate escape such as \\ud800)");
                        }
                        break;
                    case JsonTokenType.Number:
                        if (!IsPortableNumber(reader.ValueSpan))
                        {
                            throw Invalid($"the number at {Position(json, reader.TokenStartIndex)} is out of range (numbers must be finite double-precision values of at most {MaxNumberLength} characters)");
                        }
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw Invalid(EndsEarly(json, reader.BytesConsumed)
                ? "the body ends before the JSON value does"
                : $"syntax error at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}");
        }
    }

    private static ApiException Invalid(string reason) => ApiException.BadRequest("invalid JSON: " + reason);

    // An escape sequence may leave a lone half of a surrogate pair: JSON syntax, but not text.
    private static bool IsText(ref Utf8JsonReader reader)
    {
        try
        {
            reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsPortableNumber(ReadOnlySpan<byte> literal) =>
        literal.Length <= MaxNumberLength
        && double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
        && double.IsFinite(value);

    private static bool EndsEarly(ReadOnlySpan<byte> json, long consumed) =>
        json[(int)consumed..].TrimStart(" \t\r\n"u8).IsEmpty;

    private static string Position(ReadOnlySpan<byte> json, long offset)
    {
        var before = json[..(int)offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return $"line {before.Count((byte)'\n') + 1}, column {offset - lineStart + 1}";
    }
}
