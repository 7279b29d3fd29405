// The client's side of the key service JSON: request bodies written straight into the connection's
// buffer, and responses read with Utf8JsonReader over the receive buffer (no DOM, no reflection):
// 2.3-2.4x faster than source-generated deserialization for frames (docs/benchmarks.md). Error bodies
// go through the source-generated context, where it is as fast.
using System.Text.Json;

namespace Prg.Crypto;

internal static class KmsJson
{
    public static void WriteAad(Utf8JsonWriter writer, RecordAad aad)
    {
        writer.WriteStartObject("aad"u8);
        writer.WriteString("thread_id"u8, aad.ThreadId);
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        writer.WriteString("record_id"u8, aad.RecordIdChars(recordId));
        writer.WriteEndObject();
    }

    /// <summary>The <c>{"error","code"}</c> of an error response; tolerant of a body that is not JSON.</summary>
    public static (string Code, string Message) ReadError(ReadOnlySpan<byte> body, int status)
    {
        KmsErrorBody? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, CryptoJsonContext.Default.KmsErrorBody);
        }
        catch (JsonException)
        {
            // Not our JSON (e.g. a proxy's page): the status alone has to do.
        }

        return (error?.Code ?? string.Empty, error?.Error ?? $"HTTP {status}");
    }

    /// <summary>Reads the <c>material</c> object of a key response.</summary>
    public static DekInfo ReadDekInfo(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isMaterial = reader.ValueTextEquals("material"u8);
            reader.Read();
            if (isMaterial)
            {
                return new DekInfo(ThreadKeyMaterial.ReadFrom(ref reader));
            }

            reader.Skip();
        }

        throw new JsonException("key response has no material");
    }

    /// <summary>Reads one base64 property (<c>plaintext</c> or <c>ciphertext</c>) of a single-item response.</summary>
    public static byte[] ReadBytes(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(body);
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return reader.GetBytesFromBase64();
            }

            reader.Skip();
        }

        throw new JsonException($"response has no {System.Text.Encoding.UTF8.GetString(name)}");
    }

    /// <summary>
    /// Reads <c>{"items":[…]}</c>: for each item either the base64 <paramref name="name"/> property or an
    /// <c>{"error","code"}</c> turned into an exception by <paramref name="client"/>.
    /// </summary>
    public static (byte[]? Value, Exception? Error)[] ReadBatch(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name, int expected, KmsClient client)
    {
        var results = new (byte[]?, Exception?)[expected];
        var reader = new Utf8JsonReader(body);
        Expect(ref reader, JsonTokenType.StartObject);
        bool seen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isItems = reader.ValueTextEquals("items"u8);
            reader.Read();
            if (!isItems)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("items is not an array");
            }

            int index = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                if (index >= expected)
                {
                    throw new JsonException($"batch response has more than the {expected} items sent");
                }

                byte[]? value = null;
                string? error = null;
                string code = string.Empty;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals(name))
                    {
                        reader.Read();
                        value = reader.GetBytesFromBase64();
                    }
                    else if (reader.ValueTextEquals("error"u8))
                    {
                        reader.Read();
                        error = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("code"u8))
                    {
                        reader.Read();
                        code = reader.GetString() ?? string.Empty;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                results[index++] = value is not null
                    ? (value, null)
                    : (null, client.ErrorFrom(StatusForCode(code), code, error ?? "batch item failed"));
            }

            if (index != expected)
            {
                throw new JsonException($"batch response has {index} items but {expected} were sent");
            }

            seen = true;
        }

        return seen ? results : throw new JsonException("batch response has no items");
    }

    private static int StatusForCode(string code) => code switch
    {
        KmsProtocol.ErrorCodes.UnknownKey or KmsProtocol.ErrorCodes.UnknownDekVersion => 404,
        KmsProtocol.ErrorCodes.Internal or KmsProtocol.ErrorCodes.UnknownKek => 500,
        KmsProtocol.ErrorCodes.Unavailable => 503,
        _ => 400,
    };

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"expected {type}");
        }
    }
}
