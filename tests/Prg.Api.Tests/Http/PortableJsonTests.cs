// PortableJson: what request bodies may hold so every common parser reads them back (UTF-8, no unpaired
// surrogate escapes anywhere, finite numbers of bounded length, bounded nesting), refused in our words.
using System.Text;
using Prg.Api.Http;

namespace Prg.Api.Tests.Http;

public class PortableJsonTests
{
    private static string Refusal(string json) => Refusal(Encoding.UTF8.GetBytes(json));

    private static string Refusal(byte[] json)
    {
        var e = Assert.Throws<ApiException>(() => PortableJson.Check(json));
        Assert.Equal(400, e.Status);
        Assert.StartsWith("invalid JSON: ", e.Message);
        return e.Message;
    }

    [Theory]
    [InlineData("""{"title":"x"}""")]
    [InlineData("""{"body":{"text":"hi","n":[1,-2.5,3e10,0,-0,1e-400]}}""")]
    [InlineData("""{"body":"\ud83d\ude00 \u00e9 \u0000 \n"}""")]
    [InlineData("""{"\ud83d\ude00":1}""")]
    [InlineData("""{"body":1.7976931348623157e308}""")]
    [InlineData("""{"body":-1.7976931348623157e308}""")]
    [InlineData("""{"body":123456789012345678901234567890}""")]
    [InlineData("[]")]
    public void AcceptsPortableJson(string json)
    {
        PortableJson.Check(Encoding.UTF8.GetBytes(json));
    }

    // The parser's own sentences ("'t' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 9.")
    // name its internals and change between .NET versions: a syntax error is one sentence of ours.
    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"title":tru}""")]
    [InlineData("""{"title":"a",}""")]
    [InlineData("""{"title":"a" "b":1}""")]
    [InlineData("""{"title":'a'}""")]
    [InlineData("""{"title":"a"}}""")]
    [InlineData("""{"title":"a""")]
    public void SyntaxErrorsAreRefusedInOurOwnWords(string json)
    {
        var message = Refusal(json);
        Assert.Matches(@"^invalid JSON: (syntax error at line \d+, column \d+|the body ends before the JSON value does)$", message);
    }

    [Theory]
    [InlineData("""{"title":"x","\udc00":1}""", "property name at line 1, column 14")]
    [InlineData("""{"\ud800":1}""", "property name at line 1, column 2")]
    [InlineData("""{"body":"a\ud800"}""", "string at line 1, column 9")]
    [InlineData("""{"body":"a\ud800\u0041"}""", "string at line 1, column 9")]
    [InlineData("""{"body":"\ude00\ud83d"}""", "string at line 1, column 9")]
    [InlineData("""{"body":{"a":[{"b":["\udfff"]}]}}""", "string at line 1, column 21")]
    [InlineData("""{"body":{"a":[{"\udfff":0}]}}""", "property name at line 1, column 16")]
    [InlineData("{\n\"body\":\n  \"\\ud800\"}", "string at line 3, column 3")]
    public void RefusesUnpairedSurrogateEscapesAnywhere(string json, string where)
    {
        var message = Refusal(json);
        Assert.Contains(where, message);
        Assert.Contains("not valid Unicode", message);
    }

    [Theory]
    [InlineData("1e999999999")]
    [InlineData("-1e309")]
    [InlineData("1.8e308")]
    [InlineData("[1,2,1E400]")]
    public void RefusesNumbersNoDoubleHolds(string number)
    {
        Assert.Contains("out of range", Refusal($$"""{"body":{{number}}}"""));
    }

    [Fact]
    public void BoundsTheLengthOfANumber()
    {
        var longest = "1" + new string('0', PortableJson.MaxNumberLength - 1);
        PortableJson.Check(Encoding.UTF8.GetBytes($$"""{"body":{{longest}}}"""));
        Assert.Contains("out of range", Refusal($$"""{"body":{{longest}}0}"""));
        Assert.Contains("out of range", Refusal($$"""{"body":{{new string('9', 50_000)}}}"""));
        Assert.Contains("out of range", Refusal($$"""{"body":0.{{new string('1', PortableJson.MaxNumberLength)}}}"""));
    }

    [Fact]
    public void BoundsNesting()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);
        PortableJson.Check(Encoding.UTF8.GetBytes(Nested(PortableJson.MaxDepth)));
        Assert.Equal($"invalid JSON: objects and arrays nest deeper than {PortableJson.MaxDepth} levels at line 1, column {PortableJson.MaxDepth + 1}",
            Refusal(Nested(PortableJson.MaxDepth + 1)));
        Assert.Contains("nest deeper", Refusal(Nested(100_000)));
    }

    [Fact]
    public void RefusesInvalidUtf8()
    {
        Assert.Equal("invalid JSON: body is not valid UTF-8", Refusal([.. "{\"body\":\""u8, 0xC3, 0x28, .. "\"}"u8]));
        // CESU-style encoded surrogate: not UTF-8 either.
        Assert.Equal("invalid JSON: body is not valid UTF-8", Refusal([.. "{\"body\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8]));
    }

    [Theory]
    [InlineData("{not json", "invalid JSON: syntax error at line 1, column 2")]
    [InlineData("""{"title":"a",}""", "invalid JSON: syntax error at line 1, column 14")]
    [InlineData("{\n  \"a\": tru }", "invalid JSON: syntax error at line 2, column 11")]
    [InlineData("""{"a":1} x""", "invalid JSON: syntax error at line 1, column 9")]
    [InlineData("""{"title":"a" """, "invalid JSON: the body ends before the JSON value does")]
    [InlineData("""{"body":{"a":1}""", "invalid JSON: the body ends before the JSON value does")]
    [InlineData("""{"body":[1,2""", "invalid JSON: the body ends before the JSON value does")]
    public void SyntaxErrorsAreDescribedInOurWordsWithAPosition(string json, string expected)
    {
        var message = Refusal(json);
        Assert.Equal(expected, message);
    }

    [Fact]
    public void ParseObjectAppliesTheRulesAndWantsAnObject()
    {
        Assert.Equal("invalid JSON: empty body", Assert.Throws<ApiException>(() => JsonBody.ParseObject(ReadOnlyMemory<byte>.Empty)).Message);
        Assert.Equal("invalid JSON: expected an object", Assert.Throws<ApiException>(() => JsonBody.ParseObject("[1]"u8.ToArray())).Message);
        Assert.Contains("not valid Unicode", Assert.Throws<ApiException>(() => JsonBody.ParseObject("""{"title":"x","\udc00":1}"""u8.ToArray())).Message);
        using var document = JsonBody.ParseObject("""{"title":"x","body":{"n":1e300}}"""u8.ToArray());
        Assert.Equal("x", JsonBody.RequiredString(document.RootElement, "title"));
        Assert.Equal("""{"n":1e300}""", Encoding.UTF8.GetString(JsonBody.RequiredValue(document.RootElement, "body")));
    }
}
