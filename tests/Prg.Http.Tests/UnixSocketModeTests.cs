// A Unix socket listener with a configured mode is created with that mode, and the process umask
// is back to what it was afterwards.
using System.Net.Sockets;

namespace Prg.Http.Tests;

public sealed class UnixSocketModeTests
{
    private sealed class NoApplication : IHttpApplication
    {
        public ValueTask HandleAsync(HttpContext context) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SocketFileHasTheConfiguredModeAndTheUmaskIsRestored()
    {
        var dir = Directory.CreateTempSubdirectory("prg-http-uds-");
        try
        {
            var before = Path.Combine(dir.FullName, "before");
            File.WriteAllText(before, "x");
            var path = Path.Combine(dir.FullName, "s.sock");
            var options = new HttpServerOptions { UnixSocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            options.EndPoints.Add(new UnixDomainSocketEndPoint(path));
            await using var server = new HttpServer(options, new NoApplication());
            server.Start();

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var after = Path.Combine(dir.FullName, "after");
            File.WriteAllText(after, "x");
            Assert.Equal(File.GetUnixFileMode(before), File.GetUnixFileMode(after));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
