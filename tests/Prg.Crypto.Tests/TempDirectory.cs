// A temporary directory removed when the test ends.
namespace Prg.Crypto.Tests;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = TestSupport.NewTempDirectory();
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
