// A master key that is one byte repeated (the reference example config ships 64 zeros) is a
// placeholder: refused from hex and from a file with one line that names `prg keygen`.
namespace Prg.Crypto.Tests;

public sealed class MasterKeyPlaceholderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData('0')]
    [InlineData('f')]
    [InlineData('7')]
    public void RepeatedHexDigitIsRefusedFromHex(char digit)
    {
        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromHex(new string(digit, 64), "encryption.kms.master_key_hex"));

        Assert.Equal("encryption.kms.master_key_hex is a placeholder (one byte repeated), not a key; make a real one with `prg keygen --out FILE`", error.Message);
    }

    [Fact]
    public void RepeatedByteIsRefusedFromAFile()
    {
        string path = _dir.Combine("placeholder.key");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("a5", 32)) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.StartsWith($"master key file '{path}' is a placeholder", error.Message);
        Assert.Contains("prg keygen", error.Message);
        Assert.DoesNotContain("a5a5", error.Message);
    }

    [Fact]
    public void KeysWithTwoDistinctBytesStillLoad()
    {
        using MasterKey key = MasterKey.FromHex(new string('0', 62) + "01");

        Assert.Equal(16, key.KekId.Length);
    }
}
