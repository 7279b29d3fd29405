// A strict reader for the YAML subset config files use: block mappings and sequences by indentation,
// flow sequences on one line, plain / single-quoted / double-quoted scalars, comments and empty values.
// YamlDotNet is reflection-based (not AOT-safe), and config files need nothing more; everything else
// (anchors, tags, block scalars, flow mappings, multi-line scalars, tab indentation, several documents)
// is rejected with a ConfigException naming file:line instead of being half-understood.
using System.Globalization;
using System.Text;

namespace Prg.Api.Config;

public sealed class YamlReader
{
    private readonly string _source;
    private readonly List<SourceLine> _lines;
    private int _pos;

    private YamlReader(string source, List<SourceLine> lines)
    {
        _source = source;
        _lines = lines;
    }

    /// <summary>
    /// Parses one YAML document. Returns null for a document with no content (empty, or only comments).
    /// </summary>
    /// <param name="text">The document text.</param>
    /// <param name="sourceName">File name used in error messages.</param>
    /// <exception cref="ConfigException">The text is malformed or uses unsupported YAML.</exception>
    public static YamlNode? Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);

        var reader = new YamlReader(sourceName, SplitLines(text, sourceName));
        return reader.ParseDocument();
    }

    private static List<SourceLine> SplitLines(string text, string source)
    {
        var lines = new List<SourceLine>();
        bool sawDocumentStart = false;
        bool sawDocumentEnd = false;
        int start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        int number = 0;

        while (start <= text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            number++;
            string raw = text.Substring(start, end - start);
            start = end + 1;
            if (raw.EndsWith('\r'))
            {
                raw = raw[..^1];
            }

            int indent = 0;
            while (indent < raw.Length && raw[indent] == ' ')
            {
                indent++;
            }

            string content = raw[indent..].TrimEnd(' ', '\t');
            if (content.Length == 0 || content[0] == '#')
            {
                continue;
            }

            if (content[0] == '\t')
            {
                throw new ConfigException(source, number, "tab character used for indentation (use spaces)");
            }

            if (sawDocumentEnd)
            {
                throw new ConfigException(source, number, "content after the document end marker '...'");
            }

            if (indent == 0 && IsMarker(content, "---"))
            {
                if (sawDocumentStart || lines.Count > 0)
                {
                    throw new ConfigException(source, number, "multiple YAML documents are not supported");
                }

                sawDocumentStart = true;
                if (StripComment(content, 3).Length > 0)
                {
                    throw new ConfigException(source, number, "content after '---' on the same line is not supported");
                }

                continue;
            }

            if (indent == 0 && IsMarker(content, "..."))
            {
                sawDocumentEnd = true;
                continue;
            }

            if (indent == 0 && content[0] == '%')
            {
                throw new ConfigException(source, number, "YAML directives (%...) are not supported");
            }

            lines.Add(new SourceLine(number, indent, content));
        }

        return lines;
    }

    private static bool IsMarker(string content, string marker) =>
        content.StartsWith(marker, StringComparison.Ordinal)
        && (content.Length == marker.Length || content[marker.Length] == ' ' || content[marker.Length] == '\t');

    // The text from `from` to the end with a trailing comment and surrounding blanks removed.
    private static string StripComment(string content, int from)
    {
        int i = from;
        while (i < content.Length)
        {
            if (content[i] == '#' && (i == from || content[i - 1] == ' ' || content[i - 1] == '\t'))
            {
                break;
            }

            i++;
        }

        return content[from..i].Trim(' ', '\t');
    }

    private YamlNode? ParseDocument()
    {
        if (_lines.Count == 0)
        {
            return null;
        }

        YamlNode root = ParseBlockNode(_lines[0].Indent);
        if (_pos < _lines.Count)
        {
            throw Error(_lines[_pos], "unexpected indentation or content after the end of the document");
        }

        return root;
    }

    private YamlNode ParseBlockNode(int indent)
    {
        SourceLine line = _lines[_pos];
        if (IsSequenceItem(line.Content))
        {
            return ParseSequence(indent);
        }

        if (TryParseKey(line, 0, out _, out _))
        {
            return ParseMapping(indent);
        }

        _pos++;
        return ParseInlineValue(line, 0);
    }

    private YamlMapping ParseMapping(int indent)
    {
        var mapping = new YamlMapping(_lines[_pos].Number);
        while (_pos < _lines.Count)
        {
            SourceLine line = _lines[_pos];
            if (line.Indent < indent)
            {
                break;
            }

            if (line.Indent > indent)
            {
                throw Error(line, "unexpected indentation");
            }

            if (IsSequenceItem(line.Content))
            {
                throw Error(line, "a list item cannot appear here; expected 'key: value'");
            }

            if (!TryParseKey(line, 0, out string? key, out int valueStart))
            {
                throw Error(line, "expected 'key: value'");
            }

            _pos++;
            YamlNode value;
            if (StripComment(line.Content, valueStart).Length == 0)
            {
                // The value is the indented block that follows, a list at the same indentation (YAML
                // allows `key:` followed by `- item` lines flush with the key), or empty.
                if (_pos < _lines.Count
                    && (_lines[_pos].Indent > indent
                        || (_lines[_pos].Indent == indent && IsSequenceItem(_lines[_pos].Content))))
                {
                    value = ParseBlockNode(_lines[_pos].Indent);
                }
                else
                {
                    value = new YamlScalar(null, YamlScalarStyle.Plain, line.Number);
                }
            }
            else
            {
                value = ParseInlineValue(line, valueStart);
            }

            if (!mapping.TryAdd(key, value))
            {
                throw Error(line, $"duplicate key '{key}'");
            }
        }

        return mapping;
    }

    private YamlSequence ParseSequence(int indent)
    {
        var sequence = new YamlSequence(_lines[_pos].Number);
        while (_pos < _lines.Count)
        {
            SourceLine line = _lines[_pos];
            if (line.Indent < indent)
            {
                break;
            }

            if (line.Indent > indent)
            {
                throw Error(line, "unexpected indentation");
            }

            if (!IsSequenceItem(line.Content))
            {
                break;
            }

            int restStart = 1;
            while (restStart < line.Content.Length && (line.Content[restStart] == ' ' || line.Content[restStart] == '\t'))
            {
                restStart++;
            }

            if (StripComment(line.Content, restStart).Length == 0)
            {
                _pos++;
                if (_pos < _lines.Count && _lines[_pos].Indent > indent)
                {
                    sequence.Add(ParseBlockNode(_lines[_pos].Indent));
                }
                else
                {
                    sequence.Add(new YamlScalar(null, YamlScalarStyle.Plain, line.Number));
                }

                continue;
            }

            // `- key: value` or `- - item` opens a nested block whose column is where the item text starts:
            // re-read the rest of the line as if it stood on its own line at that column.
            var rest = new SourceLine(line.Number, line.Indent + restStart, line.Content[restStart..]);
            if (IsSequenceItem(rest.Content) || TryParseKey(rest, 0, out _, out _))
            {
                _lines[_pos] = rest;
                sequence.Add(ParseBlockNode(rest.Indent));
            }
            else
            {
                _pos++;
                sequence.Add(ParseInlineValue(rest, 0));
            }
        }

        return sequence;
    }

    private static bool IsSequenceItem(string content) =>
        content[0] == '-' && (content.Length == 1 || content[1] == ' ' || content[1] == '\t');

    // Recognises `key:` (followed by a blank or the end of the line) at `start`; the key may be quoted.
    private bool TryParseKey(SourceLine line, int start, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? key, out int valueStart)
    {
        string s = line.Content;
        key = null;
        valueStart = 0;
        char first = s[start];

        if (first == '"' || first == '\'')
        {
            int end;
            string quoted;
            try
            {
                quoted = first == '"' ? ReadDoubleQuoted(line, start, out end) : ReadSingleQuoted(line, start, out end);
            }
            catch (ConfigException)
            {
                return false;
            }

            int i = end;
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
            {
                i++;
            }

            if (i < s.Length && s[i] == ':' && (i + 1 == s.Length || s[i + 1] == ' ' || s[i + 1] == '\t'))
            {
                key = quoted;
                valueStart = i + 1;
                return true;
            }

            return false;
        }

        if (first == '[' || first == '{')
        {
            return false;
        }

        for (int i = start; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '#' && i > start && (s[i - 1] == ' ' || s[i - 1] == '\t'))
            {
                return false;
            }

            if (c == ':' && (i + 1 == s.Length || s[i + 1] == ' ' || s[i + 1] == '\t'))
            {
                string candidate = s[start..i].TrimEnd(' ', '\t');
                if (candidate.Length == 0)
                {
                    throw Error(line, "empty mapping key");
                }

                if (candidate[0] == '?' && (candidate.Length == 1 || candidate[1] == ' '))
                {
                    throw Error(line, "complex mapping keys ('? ') are not supported");
                }

                RejectUnsupportedIndicator(line, candidate[0]);
                key = candidate;
                valueStart = i + 1;
                return true;
            }
        }

        return false;
    }

    private YamlNode ParseInlineValue(SourceLine line, int start)
    {
        string s = line.Content;
        int i = start;
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }

        char c = s[i];
        int end;
        YamlNode node;
        switch (c)
        {
            case '"':
                node = new YamlScalar(ReadDoubleQuoted(line, i, out end), YamlScalarStyle.DoubleQuoted, line.Number);
                break;
            case '\'':
                node = new YamlScalar(ReadSingleQuoted(line, i, out end), YamlScalarStyle.SingleQuoted, line.Number);
                break;
            case '[':
                node = ReadFlowSequence(line, i, out end);
                break;
            case '{':
                end = i + 1;
                while (end < s.Length && (s[end] == ' ' || s[end] == '\t'))
                {
                    end++;
                }

                if (end >= s.Length || s[end] != '}')
                {
                    throw Error(line, "flow mappings ('{...}') are not supported; use an indented block");
                }

                end++;
                node = new YamlMapping(line.Number);
                break;
            default:
                if (c == '-' && (i + 1 == s.Length || s[i + 1] == ' '))
                {
                    throw Error(line, "a list item cannot start after 'key:' on the same line");
                }

                if (c == '?' && (i + 1 == s.Length || s[i + 1] == ' '))
                {
                    throw Error(line, "complex mapping keys ('? ') are not supported");
                }

                RejectUnsupportedIndicator(line, c);
                string plain = StripComment(s, i);
                if (plain.Contains(": ", StringComparison.Ordinal) || plain.EndsWith(':'))
                {
                    throw Error(line, "nested mapping on one line is not supported; quote the value or use an indented block");
                }

                return PlainScalar(plain, line.Number);
        }

        if (StripComment(s, end).Length != 0)
        {
            throw Error(line, "unexpected text after the value");
        }

        return node;
    }

    private static YamlScalar PlainScalar(string text, int line) =>
        text is "~" or "null" or "Null" or "NULL"
            ? new YamlScalar(null, YamlScalarStyle.Plain, line)
            : new YamlScalar(text, YamlScalarStyle.Plain, line);

    private void RejectUnsupportedIndicator(SourceLine line, char c)
    {
        switch (c)
        {
            case '&':
                throw Error(line, "anchors ('&') are not supported");
            case '*':
                throw Error(line, "aliases ('*') are not supported");
            case '!':
                throw Error(line, "tags ('!') are not supported");
            case '|':
            case '>':
                throw Error(line, "block scalars ('|' and '>') are not supported; use a quoted string");
            case '%':
            case '@':
            case '`':
                throw Error(line, $"'{c}' cannot start a plain value; quote the value");
            case ',':
            case ']':
            case '}':
                throw Error(line, $"unexpected '{c}'");
        }
    }

    private YamlSequence ReadFlowSequence(SourceLine line, int open, out int end)
    {
        string s = line.Content;
        var sequence = new YamlSequence(line.Number);
        int i = open + 1;
        bool expectItem = true;

        while (true)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
            {
                i++;
            }

            if (i >= s.Length || (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')))
            {
                throw Error(line, "flow sequence '[' is not closed on the same line (multi-line flow sequences are not supported)");
            }

            char c = s[i];
            if (c == ']')
            {
                end = i + 1;
                return sequence;
            }

            if (!expectItem)
            {
                if (c != ',')
                {
                    throw Error(line, "expected ',' or ']' in flow sequence");
                }

                i++;
                expectItem = true;
                continue;
            }

            switch (c)
            {
                case ',':
                    throw Error(line, "empty item in flow sequence");
                case '"':
                    sequence.Add(new YamlScalar(ReadDoubleQuoted(line, i, out i), YamlScalarStyle.DoubleQuoted, line.Number));
                    break;
                case '\'':
                    sequence.Add(new YamlScalar(ReadSingleQuoted(line, i, out i), YamlScalarStyle.SingleQuoted, line.Number));
                    break;
                case '[':
                    sequence.Add(ReadFlowSequence(line, i, out i));
                    break;
                case '{':
                    throw Error(line, "flow mappings ('{...}') are not supported");
                default:
                    RejectUnsupportedIndicator(line, c);
                    int itemStart = i;
                    while (i < s.Length && s[i] != ',' && s[i] != ']'
                        && !(s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')))
                    {
                        i++;
                    }

                    string plain = s[itemStart..i].TrimEnd(' ', '\t');
                    if (plain.Contains(": ", StringComparison.Ordinal) || plain.EndsWith(':'))
                    {
                        throw Error(line, "mappings inside flow sequences are not supported");
                    }

                    sequence.Add(PlainScalar(plain, line.Number));
                    break;
            }

            expectItem = false;
        }
    }

    private string ReadSingleQuoted(SourceLine line, int open, out int end)
    {
        string s = line.Content;
        var sb = new StringBuilder();
        int i = open + 1;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '\'')
            {
                if (i + 1 < s.Length && s[i + 1] == '\'')
                {
                    sb.Append('\'');
                    i += 2;
                    continue;
                }

                end = i + 1;
                return sb.ToString();
            }

            sb.Append(c);
            i++;
        }

        throw Error(line, "unterminated single-quoted string (multi-line strings are not supported)");
    }

    private string ReadDoubleQuoted(SourceLine line, int open, out int end)
    {
        string s = line.Content;
        var sb = new StringBuilder();
        int i = open + 1;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '"')
            {
                end = i + 1;
                string result = sb.ToString();
                for (int k = 0; k < result.Length; k++)
                {
                    if (char.IsHighSurrogate(result[k]) && k + 1 < result.Length && char.IsLowSurrogate(result[k + 1]))
                    {
                        k++;
                    }
                    else if (char.IsSurrogate(result[k]))
                    {
                        throw Error(line, "unpaired surrogate escape in double-quoted string");
                    }
                }

                return result;
            }

            if (c != '\\')
            {
                sb.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= s.Length)
            {
                throw Error(line, "unterminated double-quoted string (line continuations are not supported)");
            }

            char e = s[i + 1];
            i += 2;
            switch (e)
            {
                case '0': sb.Append('\0'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 't':
                case '\t': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'v': sb.Append('\v'); break;
                case 'f': sb.Append('\f'); break;
                case 'r': sb.Append('\r'); break;
                case 'e': sb.Append('\u001B'); break;
                case ' ': sb.Append(' '); break;
                case '"': sb.Append('"'); break;
                case '/': sb.Append('/'); break;
                case '\\': sb.Append('\\'); break;
                case 'N': sb.Append('\u0085'); break;
                case '_': sb.Append('\u00A0'); break;
                case 'L': sb.Append('\u2028'); break;
                case 'P': sb.Append('\u2029'); break;
                case 'x': AppendCodePoint(sb, line, s, ref i, 2); break;
                case 'u': AppendCodePoint(sb, line, s, ref i, 4); break;
                case 'U': AppendCodePoint(sb, line, s, ref i, 8); break;
                default:
                    throw Error(line, $"invalid escape '\\{e}' in double-quoted string");
            }
        }

        throw Error(line, "unterminated double-quoted string (multi-line strings are not supported)");
    }

    private void AppendCodePoint(StringBuilder sb, SourceLine line, string s, ref int i, int digits)
    {
        if (i + digits > s.Length
            || !uint.TryParse(s.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
        {
            throw Error(line, $"escape needs {digits} hex digits");
        }

        i += digits;
        if (digits == 4)
        {
            // \uXXXX may be half of a surrogate pair written as two escapes; pairing is checked at the end.
            sb.Append((char)value);
            return;
        }

        if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        {
            throw Error(line, $"escape names an invalid code point U+{value:X}");
        }

        sb.Append(char.ConvertFromUtf32((int)value));
    }

    private ConfigException Error(SourceLine line, string detail) => new(_source, line.Number, detail);

    private readonly record struct SourceLine(int Number, int Indent, string Content);
}
