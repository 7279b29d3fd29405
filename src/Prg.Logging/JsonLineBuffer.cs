// Builds one JSON log line as UTF-8 in a reusable buffer. Hand-written rather than Utf8JsonWriter so that a
// log call can never throw on odd input: lone surrogates become U+FFFD, control characters, DEL and the JS
// line separators are escaped, and non-ASCII text is written as raw UTF-8 so lines stay readable.
using System.Buffers.Text;
using System.Globalization;

namespace Prg.Logging;

internal sealed class JsonLineBuffer
{
    private static readonly byte[] s_hex = "0123456789abcdef"u8.ToArray();

    private byte[] _buffer = new byte[512];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void WriteInteger(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(Length), out int written);
        Length += written;
    }

    public void WriteFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            // JSON has no NaN or Infinity; keep the information as a string.
            WriteString(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            return;
        }

        Ensure(32);
        value.TryFormat(_buffer.AsSpan(Length), out int written, "R", CultureInfo.InvariantCulture);
        Length += written;
    }

    public void WriteTimestamp(DateTime utc)
    {
        Ensure(32);
        utc.TryFormat(_buffer.AsSpan(Length), out int written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);
        Length += written;
    }

    /// <summary>Writes a quoted, escaped JSON string.</summary>
    public void WriteString(ReadOnlySpan<char> text)
    {
        // Worst case per UTF-16 unit is a six-byte \uXXXX escape.
        Ensure((text.Length * 6) + 2);
        Span<byte> dest = _buffer.AsSpan();
        int n = Length;
        dest[n++] = (byte)'"';

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                switch (c)
                {
                    case '"': dest[n++] = (byte)'\\'; dest[n++] = (byte)'"'; break;
                    case '\\': dest[n++] = (byte)'\\'; dest[n++] = (byte)'\\'; break;
                    case '\n': dest[n++] = (byte)'\\'; dest[n++] = (byte)'n'; break;
                    case '\r': dest[n++] = (byte)'\\'; dest[n++] = (byte)'r'; break;
                    case '\t': dest[n++] = (byte)'\\'; dest[n++] = (byte)'t'; break;
                    case '\b': dest[n++] = (byte)'\\'; dest[n++] = (byte)'b'; break;
                    case '\f': dest[n++] = (byte)'\\'; dest[n++] = (byte)'f'; break;
                    default:
                        if (c < 0x20 || c == 0x7F)
                        {
                            n = WriteUnicodeEscape(dest, n, c);
                        }
                        else
                        {
                            dest[n++] = (byte)c;
                        }

                        break;
                }
            }
            else if (c < 0x800)
            {
                dest[n++] = (byte)(0xC0 | (c >> 6));
                dest[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, text[++i]);
                dest[n++] = (byte)(0xF0 | (cp >> 18));
                dest[n++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                dest[n++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                dest[n++] = (byte)(0x80 | (cp & 0x3F));
            }
            else if (char.IsSurrogate(c))
            {
                // A lone surrogate cannot be encoded as UTF-8: write U+FFFD instead.
                dest[n++] = 0xEF;
                dest[n++] = 0xBF;
                dest[n++] = 0xBD;
            }
            else if (c is '\u2028' or '\u2029')
            {
                n = WriteUnicodeEscape(dest, n, c);
            }
            else
            {
                dest[n++] = (byte)(0xE0 | (c >> 12));
                dest[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                dest[n++] = (byte)(0x80 | (c & 0x3F));
            }
        }

        dest[n++] = (byte)'"';
        Length = n;
    }

    private static int WriteUnicodeEscape(Span<byte> dest, int n, char c)
    {
        dest[n++] = (byte)'\\';
        dest[n++] = (byte)'u';
        dest[n++] = s_hex[(c >> 12) & 0xF];
        dest[n++] = s_hex[(c >> 8) & 0xF];
        dest[n++] = s_hex[(c >> 4) & 0xF];
        dest[n++] = s_hex[c & 0xF];
        return n;
    }

    private void Ensure(int extra)
    {
        if (Length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + extra));
        }
    }
}
