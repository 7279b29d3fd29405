// Reads a config file into YamlDotNet's representation model (YamlStream: no reflection, so it is
// AOT-safe) and turns every YAML error into a ConfigException naming file:line.
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Prg.Api.Config;

internal static class ConfigYaml
{
    /// <summary>Parses one YAML document; null when it has no content (empty, only comments, or `---`).</summary>
    /// <exception cref="ConfigException">The text is not YAML, holds several documents or indents with tabs.</exception>
    public static YamlNode? Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        RefuseTabIndentation(text, path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ConfigException(path, (int)ex.Start.Line, ex.Message);
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigException(path, Line(stream.Documents[1].RootNode), "the config file must hold one YAML document, found several");
        }

        YamlNode? root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        return root is YamlScalarNode scalar && IsNull(scalar) ? null : root;
    }

    /// <summary>1-based line the node starts on.</summary>
    public static int Line(YamlNode node) => (int)node.Start.Line;

    /// <summary>A plain empty value, `~` or `null` (quoted ones are strings).</summary>
    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    // YAML forbids tabs in indentation, but YamlDotNet reports such errors at the enclosing node's
    // line; checking first points at the line with the tab.
    private static void RefuseTabIndentation(string text, string path)
    {
        int lineNumber = 0;
        foreach (ReadOnlySpan<char> line in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            ReadOnlySpan<char> content = line.TrimStart(" \t");
            if (line[..(line.Length - content.Length)].Contains('\t') && !content.IsEmpty && content[0] != '#')
            {
                throw new ConfigException(path, lineNumber, "tab character used for indentation (use spaces)");
            }
        }
    }
}
