// Reads request bodies: must be a JSON object of portable JSON (PortableJson); fields are looked up by
// name. Anything else is a 400 with our own message, never an exception escaping to a 500.
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Prg.Api.Http;

public static class JsonBody
{
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            throw ApiException.BadRequest("invalid JSON: empty body");
        }
        PortableJson.Check(body.Span);
        // Check read the same text with the same reader: parsing it cannot fail now.
        var document = JsonDocument.Parse(body, PortableJson.DocumentOptions);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ApiException.BadRequest("invalid JSON: expected an object");
        }
        return document;
    }

    /// <summary>A required non-empty string field; the spec's "validation errors: name: ..." otherwise.</summary>
    public static string RequiredString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw ApiException.BadRequest($"validation errors: {name}: cannot be empty");
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw ApiException.BadRequest($"validation errors: {name}: must be a string");
        }
        var text = value.GetString()!;
        if (text.Trim().Length == 0)
        {
            throw ApiException.BadRequest($"validation errors: {name}: cannot be empty");
        }
        return text;
    }

    /// <summary>A required non-null JSON value of any type, as its raw UTF-8 JSON text.</summary>
    public static byte[] RequiredValue(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw ApiException.BadRequest($"validation errors: {name}: cannot be empty");
        }
        return JsonMarshal.GetRawUtf8Value(value).ToArray();
    }
}
