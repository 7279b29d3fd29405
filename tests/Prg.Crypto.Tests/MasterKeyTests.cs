// Loading master keys: accepted forms, and each refusal (missing, directory, loose modes, wrong
// length, not hex, empty) with its own one-line message that names the file and never the key.
namespace Prg.Crypto.Tests;

public sealed class MasterKeyTests : IDisposable
{
    private const string KeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(KeyHex + "\n")]
    [InlineData(KeyHex)]
    [InlineData(KeyHex + "\r\n  \n")]
    [InlineData("  " + KeyHex + "\n")]
    public void FileWith64HexCharactersAndMode0600Loads(string content)
    {
        string path = WriteKeyFile(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using MasterKey key = MasterKey.FromFile(path);

        Assert.Equal("a8ef3a1927eb3122", key.KekId);
        Assert.Equal(TestSupport.SequentialKey(), key.KeyBytes.ToArray());
    }

    [Fact]
    public void UppercaseHexAndMode0400AreAccepted()
    {
        string path = WriteKeyFile(KeyHex.ToUpperInvariant(), UnixFileMode.UserRead);

        using MasterKey key = MasterKey.FromFile(path);

        Assert.Equal("a8ef3a1927eb3122", key.KekId);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite, "0620")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherExecute, "0401")]
    public void FileAccessibleByGroupOrOthersIsRefused(UnixFileMode mode, string octal)
    {
        string path = WriteKeyFile(KeyHex + "\n", mode);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' has mode {octal} but must not be accessible by group or others (run: chmod 600 '{path}')", error.Message);
        AssertNoKeyIn(error.Message);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(32)]
    [InlineData(128)]
    public void KeyOfTheWrongLengthIsRefused(int length)
    {
        string content = string.Concat(Enumerable.Repeat(KeyHex, 3))[..length];
        string path = WriteKeyFile(content + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' has {length} characters; it must contain exactly 64 hex characters (a 32-byte key)", error.Message);
        AssertNoKeyIn(error.Message);
    }

    [Fact]
    public void NonHexKeyIsRefusedNamingThePositionNotTheCharacter()
    {
        string content = KeyHex[..10] + "zz" + KeyHex[12..];
        string path = WriteKeyFile(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' has a character that is not a hex digit at position 11; it must contain exactly 64 hex characters", error.Message);
        AssertNoKeyIn(error.Message);
    }

    [Fact]
    public void EmptyFileIsRefused()
    {
        string path = WriteKeyFile("\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' is empty; it must contain exactly 64 hex characters (a 32-byte key)", error.Message);
    }

    [Fact]
    public void HugeFileIsRefusedWithoutReadingIt()
    {
        string path = WriteKeyFile(new string('a', 10000), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' is 10000 bytes; it must contain exactly 64 hex characters (a 32-byte key)", error.Message);
    }

    [Fact]
    public void MissingFileIsRefused()
    {
        string path = _dir.Combine("absent.key");

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' does not exist", error.Message);
    }

    [Fact]
    public void FileInMissingDirectoryIsRefusedAsMissing()
    {
        string path = _dir.Combine("nope/absent.key");

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));

        Assert.Equal($"master key file '{path}' does not exist", error.Message);
    }

    [Fact]
    public void DirectoryIsRefused()
    {
        var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(_dir.Path));

        Assert.Equal($"master key file '{_dir.Path}' is a directory, not a key file", error.Message);
    }

    [Fact]
    public void EveryRefusalMessageIsOneLine()
    {
        string loose = WriteKeyFile(KeyHex, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        string shortKey = WriteKeyFile("abc", UnixFileMode.UserRead);
        foreach (string path in new[] { loose, shortKey, _dir.Combine("absent"), _dir.Path })
        {
            var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromFile(path));
            Assert.DoesNotContain('\n', error.Message);
            Assert.Contains(path, error.Message);
        }
    }

    [Fact]
    public void HexStringLoadsAndRefusalsNameTheSource()
    {
        using MasterKey key = MasterKey.FromHex(KeyHex, "encryption.kms.master_key_hex");
        Assert.Equal("a8ef3a1927eb3122", key.KekId);

        var wrongLength = Assert.Throws<MasterKeyException>(() => MasterKey.FromHex(KeyHex.AsSpan(0, 62), "encryption.kms.master_key_hex"));
        Assert.Equal("encryption.kms.master_key_hex has 62 characters; it must contain exactly 64 hex characters (a 32-byte key)", wrongLength.Message);

        var notHex = Assert.Throws<MasterKeyException>(() => MasterKey.FromHex("g" + KeyHex[1..], "encryption.kms.master_key_hex"));
        Assert.Equal("encryption.kms.master_key_hex has a character that is not a hex digit at position 1; it must contain exactly 64 hex characters", notHex.Message);

        Assert.Throws<MasterKeyException>(() => MasterKey.FromHex("\u00e9" + KeyHex.Substring(1)));
        Assert.Throws<MasterKeyException>(() => MasterKey.FromHex(""));
    }

    [Fact]
    public void FromBytesRefusesAnythingButThirtyTwoBytes()
    {
        Assert.Throws<ArgumentException>(() => MasterKey.FromBytes(new byte[31]));
        Assert.Throws<ArgumentException>(() => MasterKey.FromBytes(new byte[33]));
    }

    [Fact]
    public void DisposeZeroesTheKeyAndBlocksFurtherUse()
    {
        MasterKey key = MasterKey.Generate();
        LockedBuffer buffer = key.KeyBufferForTesting;
        Assert.Contains(buffer.Span.ToArray(), b => b != 0);
        byte[]? released = null;
        buffer.OnReleaseForTesting = bytes => released = bytes;

        key.Dispose();

        Assert.NotNull(released);
        Assert.All(released, b => Assert.Equal(0, b));
        Assert.True(buffer.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => key.KeyBytes.ToArray());
    }

    [Fact]
    public void DifferentKeysHaveDifferentKekIds()
    {
        using MasterKey a = MasterKey.Generate();
        using MasterKey b = MasterKey.Generate();

        Assert.NotEqual(a.KekId, b.KekId);
        Assert.Matches("^[0-9a-f]{16}$", a.KekId);
    }

    private static void AssertNoKeyIn(string message)
    {
        Assert.DoesNotContain(KeyHex[..16], message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("zz", message);
    }

    private string WriteKeyFile(string content, UnixFileMode mode)
    {
        string path = _dir.Combine(Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
