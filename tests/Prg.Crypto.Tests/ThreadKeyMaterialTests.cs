// Thread key material: the JSON "kms" block round trip, its seed-compatible top-level fields,
// embedding in other documents, and refusal of malformed or inconsistent blocks.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Prg.Crypto.Tests;

public sealed class ThreadKeyMaterialTests
{
    [Fact]
    public void JsonRoundTripKeepsEveryVersionAndTopLevelFieldsDescribeTheCurrentOne()
    {
        ThreadKeyMaterial material = NewMaterial("dek_t1", 1, 2, 5);

        string json = material.ToJson();
        ThreadKeyMaterial parsed = ThreadKeyMaterial.Parse(json);

        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        Assert.Equal("dek_t1", root.GetProperty("key_id").GetString());
        Assert.Equal(5u, root.GetProperty("dek_version").GetUInt32());
        Assert.Equal(material.Current.KekId, root.GetProperty("kek_id").GetString());
        Assert.Equal(material.Current.KekVersion, root.GetProperty("kek_version").GetUInt32());
        Assert.Equal(Convert.ToBase64String(material.Current.WrappedDek.Span), root.GetProperty("wrapped_dek").GetString());
        Assert.Equal(3, root.GetProperty("versions").GetArrayLength());

        Assert.Equal("dek_t1", parsed.KeyId);
        Assert.Equal([1u, 2u, 5u], parsed.Versions.Select(v => v.DekVersion));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(material.Versions[i].WrappedDek.ToArray(), parsed.Versions[i].WrappedDek.ToArray());
            Assert.Equal(material.Versions[i].KekId, parsed.Versions[i].KekId);
        }
    }

    [Fact]
    public void KeyIdIsReadWithoutAFullParseWhereverItStandsInTheObject()
    {
        Assert.Equal("dek_t1", ThreadKeyMaterial.ReadKeyId(NewMaterial("dek_t1", 1, 2).ToUtf8Json()));
        Assert.Equal("dek_x", ThreadKeyMaterial.ReadKeyId("""{"versions":[{"a":[1,{"key_id":"inner"}]}],"kek_id":"k","key_id":"dek_x"}"""u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"key_id\":5}")]
    [InlineData("{\"key_id\":\"\"}")]
    [InlineData("{\"other\":{\"key_id\":\"nested\"}}")]
    [InlineData("{\"key_id\":")]
    public void ABlockWithoutATopLevelKeyIdIsRefused(string json)
    {
        Assert.Throws<KeyMaterialFormatException>(() => ThreadKeyMaterial.ReadKeyId(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void SeedStyleBlockWithoutVersionsIsOneVersion()
    {
        ThreadKeyMaterial material = NewMaterial("dek_t1", 1);
        string json = $$"""{"key_id":"dek_t1","wrapped_dek":"{{Convert.ToBase64String(material.Current.WrappedDek.Span)}}","kek_id":"{{material.Current.KekId}}","kek_version":1}""";

        ThreadKeyMaterial parsed = ThreadKeyMaterial.Parse(json);

        Assert.Equal(1u, parsed.CurrentDekVersion);
        Assert.Single(parsed.Versions);
    }

    [Fact]
    public void MaterialEmbedsInAnotherDocumentThroughTheConverter()
    {
        ThreadKeyMaterial material = NewMaterial("dek_t9", 1, 2);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("title", "x");
            writer.WritePropertyName("kms");
            material.WriteTo(writer);
            writer.WriteEndObject();
        }

        var reader = new Utf8JsonReader(buffer.ToArray());
        ThreadKeyMaterial? found = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("kms"))
            {
                reader.Read();
                found = ThreadKeyMaterial.ReadFrom(ref reader);
            }
        }

        Assert.NotNull(found);
        Assert.Equal(2u, found.CurrentDekVersion);
        Assert.Contains("\"kms\":{\"key_id\":\"dek_t9\"", Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"key_id":"dek_t1"}""")]
    [InlineData("""{"key_id":"dek_t1","wrapped_dek":"AAAA","kek_id":"k","kek_version":1}""")]
    [InlineData("""{"key_id":"dek_t1","versions":[null]}""")]
    [InlineData("""{"key_id":"dek_t1","kek_version":"one"}""")]
    public void MalformedBlocksAreRefused(string json)
    {
        Assert.Throws<KeyMaterialFormatException>(() => ThreadKeyMaterial.Parse(json));
    }

    [Fact]
    public void InconsistentTopLevelFieldsAreRefused()
    {
        ThreadKeyMaterial material = NewMaterial("dek_t1", 1, 2);
        string json = material.ToJson().Replace("\"dek_version\":2,\"versions\"", "\"dek_version\":1,\"versions\"");

        var error = Assert.Throws<KeyMaterialFormatException>(() => ThreadKeyMaterial.Parse(json));
        Assert.Contains("inconsistent", error.Message);
    }

    [Fact]
    public void DuplicateVersionsAndNonIncreasingNewVersionsAreRefused()
    {
        ThreadKeyMaterial material = NewMaterial("dek_t1", 1, 2);
        Assert.Throws<ArgumentException>(() => new ThreadKeyMaterial("dek_t1", [material.Versions[0], material.Versions[0]]));
        Assert.Throws<ArgumentException>(() => material.WithNewVersion(material.Versions[0]));
        Assert.Throws<ArgumentException>(() => new ThreadKeyMaterial("dek_t1", []));
    }

    [Fact]
    public void WrappedDekVersionChecksTheFrameAgainstItsKekVersion()
    {
        ThreadKeyMaterial material = NewMaterial("dek_t1", 1);
        WrappedDekVersion v = material.Current;
        Assert.Throws<ArgumentException>(() => new WrappedDekVersion(1, v.WrappedDek.Span, v.KekId, v.KekVersion + 1));
        Assert.Throws<ArgumentException>(() => new WrappedDekVersion(1, new byte[10], v.KekId, v.KekVersion));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WrappedDekVersion(0, v.WrappedDek.Span, v.KekId, v.KekVersion));
    }

    [Fact]
    public void KeyIdsMapToAndFromThreads()
    {
        Assert.Equal("dek_abc", KeyIds.ForThread("abc"));
        Assert.True(KeyIds.TryGetThreadId("dek_abc", out string thread));
        Assert.Equal("abc", thread);
        Assert.False(KeyIds.TryGetThreadId("dek_", out _));
        Assert.False(KeyIds.TryGetThreadId("other", out _));
    }

    internal static ThreadKeyMaterial NewMaterial(string keyId, params uint[] versions)
    {
        using MasterKey kek = MasterKey.Generate();
        var list = new List<WrappedDekVersion>();
        foreach (uint version in versions)
        {
            byte[] frame = new byte[WrappedDekFrame.Length];
            WrappedDekFrame.Wrap(kek, 1, keyId, RandomNumberGenerator.GetBytes(32), frame);
            list.Add(new WrappedDekVersion(version, frame, kek.KekId, 1));
        }

        return new ThreadKeyMaterial(keyId, list);
    }
}
