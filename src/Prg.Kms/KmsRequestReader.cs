// Parses the service's JSON request bodies with Utf8JsonReader (AOT-safe, no reflection). Every way a
// body can be wrong becomes a 400 with a message of our own naming the field (invalid UTF-8 and
// unpaired surrogate escapes included: the reader throws on those only when a string is decoded);
// unknown fields are ignored so newer clients can add some.
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Prg.Crypto;

namespace Prg.Kms;

internal static class KmsRequestReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <c>{"&lt;name&gt;": "…"}</c> (e.g. thread_id, key_id, master_key_file).</summary>
    public static string ReadString(ReadOnlySpan<byte> body, string name)
    {
        string? value = null;
        var reader = Start(body);
        try
        {
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals(name))
                {
                    reader.Read();
                    value = GetString(ref reader, name);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }

        return value ?? throw KmsRequestException.BadRequest($"{name} is required");
    }

    /// <summary>Reads a single encrypt/decrypt body: <c>{"key_id", "&lt;input&gt;", "aad"?}</c>.</summary>
    public static KmsItem ReadItem(ReadOnlySpan<byte> body, string inputName)
    {
        var reader = Start(body);
        try
        {
            KmsItem item = ReadItemObject(ref reader, inputName, defaultKeyId: null, where: string.Empty);
            if (reader.Read())
            {
                throw KmsRequestException.BadRequest("unexpected data after the JSON object");
            }

            return item;
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    /// <summary>Reads a batch body: <c>{"key_id"?, "items":[{"key_id"?, "&lt;input&gt;", "aad"?}, …]}</c>.</summary>
    public static List<KmsItem> ReadBatch(ReadOnlySpan<byte> body, string inputName)
    {
        var reader = Start(body);
        string? defaultKeyId = null;
        List<KmsItem>? items = null;
        List<(int Index, string Message)>? missingKeys = null;
        try
        {
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("key_id"u8))
                {
                    reader.Read();
                    defaultKeyId = GetId(ref reader, "key_id");
                }
                else if (reader.ValueTextEquals("items"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw KmsRequestException.BadRequest("items must be an array");
                    }

                    items = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (items.Count == KmsProtocol.MaxBatchItems)
                        {
                            throw KmsRequestException.BadRequest($"a batch holds at most {KmsProtocol.MaxBatchItems} items");
                        }

                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw KmsRequestException.BadRequest($"items[{items.Count}] must be an object");
                        }

                        // The batch-level key_id may come after the items: resolve missing ones at the end.
                        KmsItem item = ReadItemFields(ref reader, inputName, $"items[{items.Count}].", out bool hasKeyId);
                        if (!hasKeyId)
                        {
                            (missingKeys ??= []).Add((items.Count, $"items[{items.Count}].key_id is required (or give key_id for the whole batch)"));
                        }

                        items.Add(item);
                    }
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }

        if (items is null)
        {
            throw KmsRequestException.BadRequest("items is required");
        }

        if (missingKeys is not null)
        {
            if (defaultKeyId is null)
            {
                throw KmsRequestException.BadRequest(missingKeys[0].Message);
            }

            foreach ((int index, _) in missingKeys)
            {
                KmsItem item = items[index];
                items[index] = item with
                {
                    KeyId = defaultKeyId,
                    Aad = item.Aad.ThreadId is null ? KmsProtocol.DefaultAad(defaultKeyId) : item.Aad,
                };
            }
        }

        return items;
    }

    /// <summary>Checks an id (key id, thread id, record id): non-empty, valid Unicode, not too long.</summary>
    public static string CheckId(string value, string name)
    {
        if (value.Length == 0)
        {
            throw KmsRequestException.BadRequest($"{name} must not be empty");
        }

        int bytes;
        try
        {
            bytes = s_strictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            throw KmsRequestException.BadRequest($"{name} is not valid Unicode");
        }

        if (bytes > KmsProtocol.MaxIdBytes)
        {
            throw KmsRequestException.BadRequest($"{name} is longer than {KmsProtocol.MaxIdBytes} bytes");
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw KmsRequestException.BadRequest($"{name} must not contain control characters");
            }
        }

        return value;
    }

    private static KmsItem ReadItemObject(ref Utf8JsonReader reader, string inputName, string? defaultKeyId, string where)
    {
        KmsItem item = ReadItemFields(ref reader, inputName, where, out bool hasKeyId);
        if (!hasKeyId)
        {
            if (defaultKeyId is null)
            {
                throw KmsRequestException.BadRequest($"{where}key_id is required");
            }

            item = item with { KeyId = defaultKeyId, Aad = item.Aad.ThreadId is null ? KmsProtocol.DefaultAad(defaultKeyId) : item.Aad };
        }

        return item;
    }

    // Reads the fields of an item object; the reader is on its StartObject and ends on its EndObject.
    // With no key_id, KeyId is empty and a missing aad is left default for the caller to fill in.
    private static KmsItem ReadItemFields(ref Utf8JsonReader reader, string inputName, string where, out bool hasKeyId)
    {
        string? keyId = null;
        byte[]? input = null;
        RecordAad? aad = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("key_id"u8))
            {
                reader.Read();
                keyId = GetId(ref reader, where + "key_id");
            }
            else if (reader.ValueTextEquals(inputName))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw KmsRequestException.BadRequest($"{where}{inputName} must be a base64 string");
                }

                if (!TryGetBase64(ref reader, out input))
                {
                    throw KmsRequestException.BadRequest($"{where}{inputName} is not valid base64");
                }
            }
            else if (reader.ValueTextEquals("aad"u8))
            {
                reader.Read();
                aad = ReadAad(ref reader, where + "aad");
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (input is null)
        {
            throw KmsRequestException.BadRequest($"{where}{inputName} is required");
        }

        hasKeyId = keyId is not null;
        RecordAad resolved = aad ?? (keyId is null ? default : KmsProtocol.DefaultAad(keyId));
        return new KmsItem(keyId ?? string.Empty, input, resolved);
    }

    private static RecordAad? ReadAad(ref Utf8JsonReader reader, string where)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw KmsRequestException.BadRequest($"{where} must be an object {{\"thread_id\",\"record_id\"}}");
        }

        string? threadId = null;
        string? recordId = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("thread_id"u8))
            {
                reader.Read();
                threadId = GetId(ref reader, where + ".thread_id");
            }
            else if (reader.ValueTextEquals("record_id"u8))
            {
                reader.Read();
                recordId = GetId(ref reader, where + ".record_id");
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (threadId is null || recordId is null)
        {
            throw KmsRequestException.BadRequest($"{where} needs both thread_id and record_id");
        }

        return new RecordAad(threadId, recordId);
    }

    private static Utf8JsonReader Start(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw KmsRequestException.BadRequest("the request body must be a JSON object");
        }

        // The reader does not check the UTF-8 inside strings.
        if (!Utf8.IsValid(body))
        {
            throw KmsRequestException.BadRequest("the request body is not valid UTF-8");
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw KmsRequestException.BadRequest("the request body must be a JSON object");
            }
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }

        return reader;
    }

    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw KmsRequestException.BadRequest("the request body is truncated JSON");
        }

        if (reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        // Names are compared after unescaping, which throws on an unpaired surrogate escape.
        if (reader.ValueIsEscaped && !TryGetText(ref reader, out _))
        {
            throw KmsRequestException.BadRequest("a property name is not valid Unicode (an unpaired surrogate escape)");
        }

        return true;
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static string GetString(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw KmsRequestException.BadRequest($"{name} must be a string");
        }

        return TryGetText(ref reader, out string? text)
            ? text
            : throw KmsRequestException.BadRequest($"{name} is not valid Unicode (an unpaired surrogate escape)");
    }

    // An escape sequence may leave a lone half of a surrogate pair: JSON syntax, but not text.
    private static bool TryGetText(ref Utf8JsonReader reader, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    // Base64 is ASCII, but an escaped value is unescaped first, which throws on a lone surrogate.
    private static bool TryGetBase64(ref Utf8JsonReader reader, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        try
        {
            return reader.TryGetBytesFromBase64(out bytes);
        }
        catch (InvalidOperationException)
        {
            bytes = null;
            return false;
        }
    }

    private static string GetId(ref Utf8JsonReader reader, string name) => CheckId(GetString(ref reader, name), name);

    private static KmsRequestException Malformed(JsonException e) =>
        KmsRequestException.BadRequest($"the request body is not valid JSON (syntax error at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1})");
}
