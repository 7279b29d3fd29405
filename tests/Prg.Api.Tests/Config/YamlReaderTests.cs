// YamlReader: a table of documents and the tree each must produce, and a table of malformed or
// unsupported documents that must fail with the right line number.
using System.Text;
using Prg.Api.Config;

namespace Prg.Api.Tests.Config;

public class YamlReaderTests
{
    public static TheoryData<string, string> Documents => new()
    {
        { "a: 1", "{a:'1'}" },
        { "a: hello world", "{a:'hello world'}" },
        { "a:\n  b: x\n  c: y", "{a:{b:'x',c:'y'}}" },
        { "a:\n  - x\n  - y", "{a:['x','y']}" },
        { "a:\n- x\n- y\nb: z", "{a:['x','y'],b:'z'}" },
        { "a: [x, 'y z', \"w\"]", "{a:['x','y z','w']}" },
        { "a: []", "{a:[]}" },
        { "a: [ ]", "{a:[]}" },
        { "a: {}", "{a:{}}" },
        { "a: [[1, 2], [3]]", "{a:[['1','2'],['3']]}" },
        { "a: [x, y,]", "{a:['x','y']}" },
        { "a:", "{a:~}" },
        { "a: ~", "{a:~}" },
        { "a: null", "{a:~}" },
        { "a: 'null'", "{a:'null'}" },
        { "a: \"\"", "{a:''}" },
        { "a: ''", "{a:''}" },
        { "a: 'it''s'", "{a:'it's'}" },
        { "a: \"q\\\"t\\\\b\\n\\t\\u00e9\\x41\\U0001F600\\/\"", "{a:'q\"t\\b\n\té" + "A\U0001F600/'}" },
        { "a: \"\\uD83D\\uDE00\"", "{a:'\U0001F600'}" },
        { "a: 1 # comment", "{a:'1'}" },
        { "a: \"x # not a comment\" # comment", "{a:'x # not a comment'}" },
        { "a: x#y", "{a:'x#y'}" },
        { "# top\n\n  # indented comment\na: 1\n\n", "{a:'1'}" },
        { "a:   # only a comment\n  b: 2", "{a:{b:'2'}}" },
        { "ip_whitelist:\n  # - \"127.0.0.1\"\nnext: 1", "{ip_whitelist:~,next:'1'}" },
        { "url: http://localhost:3000", "{url:'http://localhost:3000'}" },
        { "ep: 127.0.0.1:6820", "{ep:'127.0.0.1:6820'}" },
        { "v6: ::1", "{v6:'::1'}" },
        { "cron: 0 2 * * *", "{cron:'0 2 * * *'}" },
        { "\"quoted key\": 1\n'single': 2", "{quoted key:'1',single:'2'}" },
        { "list:\n  - name: a\n    size: 1\n  - name: b", "{list:[{name:'a',size:'1'},{name:'b'}]}" },
        { "list:\n  - - a\n    - b\n  - c", "{list:[['a','b'],'c']}" },
        { "list:\n  -\n    k: v\n  -", "{list:[{k:'v'},~]}" },
        { "---\na: 1\n...", "{a:'1'}" },
        { "a: 1\r\nb: 2\r\n", "{a:'1',b:'2'}" },
        { "\uFEFFa: 1", "{a:'1'}" },
        { "a:\tx", "{a:'x'}" },
        { "deep:\n   three:\n       seven: 7\n   back: 3", "{deep:{three:{seven:'7'},back:'3'}}" },
        { "- a\n- b", "['a','b']" },
        { "just a scalar", "'just a scalar'" },
    };

    public static TheoryData<string, int, string> Malformed => new()
    {
        { "a: 1\n\tb: 2", 2, "tab" },
        { "a:\n \t b: 2", 2, "tab" },
        { "a: 1\n  b: 2", 2, "indentation" },
        { "a:\n    b: 1\n  c: 2", 3, "indentation" },
        { "a: 1\na: 2", 2, "duplicate key 'a'" },
        { "a: [1, 2", 1, "not closed" },
        { "a: [1,\n  2]", 1, "not closed" },
        { "a: \"open", 1, "unterminated" },
        { "a: 'open", 1, "unterminated" },
        { "a: \"bad \\q escape\"", 1, "invalid escape" },
        { "a: \"\\uD83D alone\"", 1, "surrogate" },
        { "a: \"\\x4\"", 1, "hex digits" },
        { "a: &anchor 1", 1, "anchors" },
        { "a: *alias", 1, "aliases" },
        { "a: !!str 1", 1, "tags" },
        { "a: |\n  text", 1, "block scalars" },
        { "a: >\n  text", 1, "block scalars" },
        { "a: {b: 1}", 1, "flow mappings" },
        { "a: b: c", 1, "nested mapping" },
        { "a: [b: c]", 1, "mappings inside flow" },
        { "a: \"x\" trailing", 1, "unexpected text" },
        { "a: [1] 2", 1, "unexpected text" },
        { "a: 1\nnot a pair\n", 2, "expected 'key: value'" },
        { "a: 1\n- item", 2, "list item" },
        { "a: - b", 1, "list item" },
        { "? complex\n", 1, "complex" },
        { "%YAML 1.2\na: 1", 1, "directives" },
        { "a: 1\n---\nb: 2", 2, "multiple YAML documents" },
        { "a: 1\n...\nb: 2", 3, "after the document end" },
        { "a: [1,,2]", 1, "empty item" },
        { "a: @x", 1, "cannot start a plain value" },
        { "a: 1\nb:\n  - x\n   - y", 4, "indentation" },
        { ": v", 1, "empty mapping key" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void ParsesDocumentIntoExpectedTree(string yaml, string expected)
    {
        YamlNode? node = YamlReader.Parse(yaml, "test.yaml");

        Assert.NotNull(node);
        Assert.Equal(expected, Dump(node));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void RejectsMalformedDocumentNamingFileAndLine(string yaml, int line, string fragment)
    {
        var ex = Assert.Throws<ConfigException>(() => YamlReader.Parse(yaml, "bad.yaml"));

        Assert.Equal("bad.yaml", ex.FilePath);
        Assert.Equal(line, ex.LineNumber);
        Assert.StartsWith($"bad.yaml:{line}: ", ex.Message);
        Assert.Contains(fragment, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only comments\n  # more\n")]
    [InlineData("---\n")]
    public void EmptyDocumentGivesNull(string yaml)
    {
        Assert.Null(YamlReader.Parse(yaml, "empty.yaml"));
    }

    [Fact]
    public void NodesCarryTheirSourceLines()
    {
        var root = Assert.IsType<YamlMapping>(YamlReader.Parse("# c\nserver:\n  port: 80\n  list:\n    - a\n    - b\n", "l.yaml"));

        Assert.True(root.TryGetValue("server", out YamlNode? server));
        var serverMap = Assert.IsType<YamlMapping>(server);
        Assert.Equal(3, serverMap.Line);
        Assert.True(serverMap.TryGetValue("port", out YamlNode? port));
        Assert.Equal(3, port.Line);
        Assert.True(serverMap.TryGetValue("list", out YamlNode? list));
        var items = Assert.IsType<YamlSequence>(list).Items;
        Assert.Equal([5, 6], items.Select(i => i.Line));
    }

    [Fact]
    public void ScalarStylesAreReported()
    {
        var root = Assert.IsType<YamlMapping>(YamlReader.Parse("p: x\ns: 'x'\nd: \"x\"", "s.yaml"));

        Assert.Equal(
            [YamlScalarStyle.Plain, YamlScalarStyle.SingleQuoted, YamlScalarStyle.DoubleQuoted],
            root.Entries.Select(e => Assert.IsType<YamlScalar>(e.Value).Style));
    }

    private static string Dump(YamlNode node)
    {
        var sb = new StringBuilder();
        Write(node);
        return sb.ToString();

        void Write(YamlNode n)
        {
            switch (n)
            {
                case YamlScalar { Value: null }:
                    sb.Append('~');
                    break;
                case YamlScalar s:
                    sb.Append('\'').Append(s.Value).Append('\'');
                    break;
                case YamlSequence seq:
                    sb.Append('[');
                    for (int i = 0; i < seq.Items.Count; i++)
                    {
                        sb.Append(i > 0 ? "," : string.Empty);
                        Write(seq.Items[i]);
                    }

                    sb.Append(']');
                    break;
                case YamlMapping map:
                    sb.Append('{');
                    for (int i = 0; i < map.Entries.Count; i++)
                    {
                        sb.Append(i > 0 ? "," : string.Empty).Append(map.Entries[i].Key).Append(':');
                        Write(map.Entries[i].Value);
                    }

                    sb.Append('}');
                    break;
            }
        }
    }
}
