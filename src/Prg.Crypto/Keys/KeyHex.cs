// Hex decoding and encoding for key text. Hand-written (rather than Convert.FromHexString) so that
// refusals can name the position of a bad character without copying the key into a string, and
// so nothing secret passes through intermediate managed strings.
namespace Prg.Crypto;

internal static class KeyHex
{
    /// <summary>Result of <see cref="TryDecode(ReadOnlySpan{byte}, Span{byte}, out int)"/>.</summary>
    internal enum DecodeStatus
    {
        Ok,
        Empty,
        WrongLength,
        NotHex,
    }

    internal static bool IsKeyWhitespace(int c) => c is ' ' or '\t' or '\r' or '\n';

    /// <summary>
    /// Decodes exactly <c>destination.Length * 2</c> hex digits after trimming surrounding
    /// whitespace. <paramref name="detail"/> is the trimmed length (WrongLength) or the 1-based
    /// position of the first bad character (NotHex).
    /// </summary>
    internal static DecodeStatus TryDecode(ReadOnlySpan<byte> text, Span<byte> destination, out int detail) =>
        DecodeTrimmed(text, destination, out detail, static (t, i) => t[i]);

    internal static DecodeStatus TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int detail) =>
        DecodeTrimmed(text, destination, out detail, static (t, i) => t[i]);

    internal static void EncodeLower(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string digits = "0123456789abcdef";
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)digits[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)digits[bytes[i] & 0xF];
        }
    }

    private delegate int CharAt<T>(ReadOnlySpan<T> text, int index);

    private static DecodeStatus DecodeTrimmed<T>(ReadOnlySpan<T> text, Span<byte> destination, out int detail, CharAt<T> charAt)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsKeyWhitespace(charAt(text, start)))
        {
            start++;
        }

        while (end > start && IsKeyWhitespace(charAt(text, end - 1)))
        {
            end--;
        }

        int length = end - start;
        if (length == 0)
        {
            detail = 0;
            return DecodeStatus.Empty;
        }

        if (length != destination.Length * 2)
        {
            detail = length;
            return DecodeStatus.WrongLength;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            int high = Nibble(charAt(text, start + (2 * i)));
            int low = Nibble(charAt(text, start + (2 * i) + 1));
            if ((high | low) < 0)
            {
                destination.Clear();
                detail = (high < 0 ? 2 * i : (2 * i) + 1) + 1;
                return DecodeStatus.NotHex;
            }

            destination[i] = (byte)((high << 4) | low);
        }

        detail = 0;
        return DecodeStatus.Ok;
    }

    private static int Nibble(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
