// A message's JSON object built as bytes from pre-encoded parts and handed to the writer as one raw
// value: a page writes 50 of these, and Utf8JsonWriter's per-property work (escape-checking each
// property name, transcoding the key, formatting through its own checks) was most of a page's JSON
// cost. The bytes are exactly what the writer produced property by property (MessagePageJsonTests).
using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Prg.Api.Http;

internal static class MessageJson
{
    /// <summary>Bytes of the object around its variable parts, and per number, at most.</summary>
    private const int FixedBytes = 128;
    private const int MaxNumberBytes = 20;
    private const int StackBytes = 1024;

    // Message keys are digits and one dash: nothing in them is ever escaped.
    private static readonly SearchValues<char> s_plainKeyChars = SearchValues.Create("0123456789-");

    /// <summary>Writes the message object (spec/api.md §3) as the writer's next value.</summary>
    [SkipLocalsInit] // the buffer is written before it is read (and cleared after)
    public static void Write(Utf8JsonWriter w, string key, JsonEncodedText thread, JsonEncodedText author,
        long createdTs, long updatedTs, ReadOnlySpan<byte> bodyJson, bool deleted, int version)
    {
        byte[]? encodedKey = key.AsSpan().ContainsAnyExcept(s_plainKeyChars) ? JsonEncodedText.Encode(key).EncodedUtf8Bytes.ToArray() : null;
        int keyBytes = encodedKey?.Length ?? key.Length;
        int max = FixedBytes + keyBytes + thread.EncodedUtf8Bytes.Length + author.EncodedUtf8Bytes.Length + 3 * MaxNumberBytes + bodyJson.Length;
        byte[]? rented = max > StackBytes ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented is null ? stackalloc byte[StackBytes] : rented;
        var n = 0;
        Put(buffer, ref n, "{\"key\":\""u8);
        if (encodedKey is null)
        {
            n += Encoding.ASCII.GetBytes(key, buffer[n..]);
        }
        else
        {
            Put(buffer, ref n, encodedKey);
        }
        Put(buffer, ref n, "\",\"thread\":\""u8);
        Put(buffer, ref n, thread.EncodedUtf8Bytes);
        Put(buffer, ref n, "\",\"author\":\""u8);
        Put(buffer, ref n, author.EncodedUtf8Bytes);
        Put(buffer, ref n, "\",\"created_ts\":"u8);
        PutNumber(buffer, ref n, createdTs);
        Put(buffer, ref n, ",\"updated_ts\":"u8);
        PutNumber(buffer, ref n, updatedTs);
        Put(buffer, ref n, ",\"body\":"u8);
        Put(buffer, ref n, bodyJson);
        Put(buffer, ref n, deleted ? ",\"deleted\":true,\"version\":"u8 : ",\"deleted\":false,\"version\":"u8);
        PutNumber(buffer, ref n, version);
        Put(buffer, ref n, "}"u8);
        try
        {
            w.WriteRawValue(buffer[..n], skipInputValidation: true);
        }
        finally
        {
            // It held a plaintext body: cleared before the stack or the pool reuses it.
            buffer[..n].Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Put(Span<byte> buffer, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[n..]);
        n += bytes.Length;
    }

    private static void PutNumber(Span<byte> buffer, ref int n, long value)
    {
        Utf8Formatter.TryFormat(value, buffer[n..], out int written);
        n += written;
    }
}
