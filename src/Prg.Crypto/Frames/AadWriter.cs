// Shared encoding of variable-length identifiers inside AADs: a 2-byte big-endian length followed
// by the strict UTF-8 bytes. The length prefix keeps ("ab","c") and ("a","bc") distinct, and strict
// UTF-8 (no replacement of lone surrogates) keeps two different strings from encoding alike.
using System.Buffers;
using System.Buffers.Binary;
using System.Text.Unicode;

namespace Prg.Crypto;

internal static class AadWriter
{
    /// <summary>Longest identifier, in UTF-8 bytes, that fits the 2-byte length prefix.</summary>
    internal const int MaxIdBytes = ushort.MaxValue;

    /// <summary>AADs up to this size are built on the stack; larger ones use a pooled array.</summary>
    internal const int StackLimit = 512;

    /// <summary>Upper bound of the encoded size of one identifier (UTF-16 to UTF-8 is at most 3 bytes per char).</summary>
    internal static long MaxEncodedLength(ReadOnlySpan<char> id) => 2 + (3L * id.Length);

    /// <summary>Writes length-prefixed strict UTF-8 of <paramref name="id"/>; returns bytes written.</summary>
    internal static int WriteId(ReadOnlySpan<char> id, Span<byte> destination, string paramName)
    {
        if (id.IsEmpty)
        {
            throw new ArgumentException("the identifier must not be empty", paramName);
        }

        return WriteLength(WriteUtf8(id, destination[2..], paramName), destination, paramName);
    }

    /// <summary>Writes strict UTF-8 of <paramref name="chars"/> (part of an identifier, no prefix); returns bytes written.</summary>
    internal static int WriteUtf8(ReadOnlySpan<char> chars, Span<byte> destination, string paramName)
    {
        OperationStatus status = Utf8.FromUtf16(chars, destination, out _, out int written, replaceInvalidSequences: false);
        if (status == OperationStatus.InvalidData)
        {
            throw new ArgumentException("the identifier is not valid UTF-16 (it contains a lone surrogate)", paramName);
        }

        if (status != OperationStatus.Done)
        {
            throw new InvalidOperationException("AAD buffer was sized too small");
        }

        return written;
    }

    /// <summary>
    /// Writes the 2-byte length prefix of an identifier of <paramref name="idBytes"/> UTF-8 bytes
    /// already written after it; returns the identifier's encoded size.
    /// </summary>
    internal static int WriteLength(int idBytes, Span<byte> destination, string paramName)
    {
        if (idBytes > MaxIdBytes)
        {
            throw new ArgumentException($"the identifier is {idBytes} UTF-8 bytes; at most {MaxIdBytes} are allowed", paramName);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)idBytes);
        return 2 + idBytes;
    }

    /// <summary>
    /// Refuses identifiers that cannot fit the 2-byte length prefix before any buffer is sized for
    /// them (a char is at least one UTF-8 byte).
    /// </summary>
    internal static void CheckLength(ReadOnlySpan<char> id, string paramName)
    {
        if (id.Length > MaxIdBytes)
        {
            throw new ArgumentException($"the identifier is {id.Length} characters; at most {MaxIdBytes} UTF-8 bytes are allowed", paramName);
        }
    }
}
