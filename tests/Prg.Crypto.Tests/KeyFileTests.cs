// `prg keygen`: new key files are 64 hex characters and a newline, mode 0600, loadable, and an
// existing file is never overwritten.
namespace Prg.Crypto.Tests;

public sealed class KeyFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteNewCreatesA0600FileThatLoadsWithTheReturnedKekId()
    {
        string path = _dir.Combine("master.key");

        string kekId = KeyFile.WriteNew(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        string content = File.ReadAllText(path);
        Assert.Matches("^[0-9a-f]{64}\n$", content);
        using MasterKey key = MasterKey.FromFile(path);
        Assert.Equal(kekId, key.KekId);
    }

    [Fact]
    public void WriteNewNeverWritesTheSameKeyTwice()
    {
        KeyFile.WriteNew(_dir.Combine("a.key"));
        KeyFile.WriteNew(_dir.Combine("b.key"));

        Assert.NotEqual(File.ReadAllText(_dir.Combine("a.key")), File.ReadAllText(_dir.Combine("b.key")));
    }

    [Fact]
    public void WriteNewRefusesToOverwriteAnExistingFile()
    {
        string path = _dir.Combine("master.key");
        File.WriteAllText(path, "precious");

        var error = Assert.Throws<MasterKeyException>(() => KeyFile.WriteNew(path));

        Assert.Equal($"master key file '{path}' already exists; refusing to overwrite it", error.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void WriteNewRefusesAMissingDirectory()
    {
        string path = _dir.Combine("missing/master.key");

        var error = Assert.Throws<MasterKeyException>(() => KeyFile.WriteNew(path));

        Assert.Equal($"cannot create master key file '{path}': its directory does not exist", error.Message);
    }
}
