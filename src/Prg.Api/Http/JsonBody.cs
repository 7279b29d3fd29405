// Reads request bodies: must be a JSON object; fields are looked up by name. Invalid JSON or
// invalid UTF-8 is a 400, never an exception escaping to a 500.
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Prg.Api.Http;

public static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static JsonDocument ParseObject(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            throw ApiException.BadRequest("invalid JSON: empty body");
        }
        // JsonDocument does not check the UTF-8 inside strings; raw bodies are stored and echoed as is,
        // so invalid UTF-8 must be refused here rather than surface later as a 500 or a broken response.
        if (!Utf8.IsValid(body.Span))
        {
            throw ApiException.BadRequest("invalid JSON: body is not valid UTF-8");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("invalid JSON: " + FirstSentence(e.Message));
        }
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
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // A \uD800-style escape without its other half: valid JSON syntax, but not text.
            throw ApiException.BadRequest($"validation errors: {name}: must be valid Unicode text");
        }
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

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
