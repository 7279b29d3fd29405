// Deterministic JSON fuzz input (seeded): bodies built from a small grammar whose atoms include what
// parsers disagree on (unpaired surrogate escapes, huge numbers, deep nesting), and byte-level
// mutations of them (tokens and invalid UTF-8 inserted, ranges deleted or repeated, bytes flipped).
using System.Text;

namespace Prg.EndToEnd.Tests;

public sealed class JsonMutator(int seed)
{
    private static readonly string[] s_strings =
    [
        "hi", "\\ud800", "\\udc00", "a\\ud83d", "\\ud83d\\ude00", "\\u0000", "é\\u00e9", "\U0001F600", "\\\"\\\\\\/\\b\\f\\n\\r\\t",
        "\\uDBFF\\uDFFF", "\\ud800\\u0041", "\\udfff\\ud800",
    ];

    private static readonly string[] s_numbers =
    [
        "0", "-0", "1", "-1.5", "3e10", "1e-400", "1.7976931348623157e308", "1e999999999", "-1e309", "123456789012345678901234567890",
        new string('9', 70), new string('7', 5000), "0." + new string('1', 80),
    ];

    private static readonly string[] s_tokens =
    [
        "\\ud800", "\\udc00", "\\u0000", "\\", "\"", "{", "}", "[", "]", ",", ":", "1e999999999", "-", ".", "e", "null", "true",
        "\"\\udc00\":1,", "{\"\\ud800\":[", "é", "\U0001F600", new string('[', 70), new string('8', 400),
    ];

    private static readonly byte[][] s_rawBytes = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x0A], [0x01]];

    private readonly Random _random = new(seed);

    /// <summary>A body for the route's field ("title" or "body"): grammar-built, byte-mutated half the time.</summary>
    public byte[] Next(string field)
    {
        var text = new StringBuilder("{");
        if (_random.Next(4) == 0)
        {
            text.Append('"').Append(Pick(s_strings)).Append("\":").Append(Value(2)).Append(',');
        }
        text.Append('"').Append(field).Append("\":");
        text.Append(field == "title" && _random.Next(3) > 0 ? '"' + Pick(s_strings) + '"' : Value(_random.Next(6) == 0 ? 70 : 4));
        text.Append('}');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return _random.Next(2) == 0 ? bytes : Mutate(bytes);
    }

    /// <summary>One to four byte-level mutations of <paramref name="json"/>.</summary>
    public byte[] Mutate(byte[] json)
    {
        var bytes = new List<byte>(json);
        for (var n = _random.Next(1, 5); n > 0; n--)
        {
            var at = _random.Next(bytes.Count + 1);
            switch (_random.Next(5))
            {
                case 0:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(s_tokens)));
                    break;
                case 1:
                    bytes.InsertRange(at, Pick(s_rawBytes));
                    break;
                case 2:
                    bytes.RemoveRange(Math.Min(at, bytes.Count), Math.Min(_random.Next(1, 8), bytes.Count - Math.Min(at, bytes.Count)));
                    break;
                case 3:
                    var length = Math.Min(_random.Next(1, 16), bytes.Count - Math.Min(at, bytes.Count));
                    bytes.InsertRange(at, bytes.GetRange(Math.Min(at, bytes.Count), length));
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes[at % bytes.Count] ^= (byte)(1 << _random.Next(8));
                    }
                    break;
            }
        }
        return [.. bytes];
    }

    private string Value(int depth)
    {
        switch (_random.Next(depth > 0 ? 6 : 4))
        {
            case 0:
                return '"' + Pick(s_strings) + '"';
            case 1:
                return Pick(s_numbers);
            case 2:
                return _random.Next(2) == 0 ? "true" : "null";
            case 3:
                return "\"plain text\"";
            case 4:
                return "[" + string.Join(",", Enumerable.Range(0, _random.Next(3)).Select(_ => Value(depth - 1))) + "]";
            default:
                var members = Enumerable.Range(0, _random.Next(3)).Select(_ => $"\"{Pick(s_strings)}\":{Value(depth - 1)}");
                return "{" + string.Join(",", members) + "}";
        }
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
