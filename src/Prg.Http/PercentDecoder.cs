// Percent-decoding of path segments and query values (decoded once, as UTF-8; spec/api.md §1).
using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Prg.Http;

public static class PercentDecoder
{
    /// <summary>Decodes a path segment; null when the escapes or the UTF-8 are invalid.</summary>
    public static string? DecodeSegment(ReadOnlySpan<byte> raw) => Decode(raw, plusIsSpace: false);

    /// <summary>Decodes a query value ('+' means space); null when the escapes or the UTF-8 are invalid.</summary>
    public static string? DecodeQueryValue(ReadOnlySpan<byte> raw) => Decode(raw, plusIsSpace: true);

    private static string? Decode(ReadOnlySpan<byte> raw, bool plusIsSpace)
    {
        if (raw.IndexOfAny((byte)'%', (byte)'+') < 0)
        {
            return Utf8.IsValid(raw) ? Encoding.UTF8.GetString(raw) : null;
        }
        var rented = raw.Length <= 256 ? null : ArrayPool<byte>.Shared.Rent(raw.Length);
        var buffer = rented is null ? stackalloc byte[256] : rented;
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var b = raw[i];
                if (b == (byte)'%')
                {
                    if (i + 2 >= raw.Length || !TryHex(raw[i + 1], out var hi) || !TryHex(raw[i + 2], out var lo))
                    {
                        return null;
                    }
                    b = (byte)((hi << 4) | lo);
                    i += 2;
                }
                else if (b == (byte)'+' && plusIsSpace)
                {
                    b = (byte)' ';
                }
                buffer[length++] = b;
            }
            var decoded = buffer[..length];
            return Utf8.IsValid(decoded) ? Encoding.UTF8.GetString(decoded) : null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool TryHex(byte b, out int value)
    {
        value = HexDigit.Value(b);
        return value >= 0;
    }
}
