// The minimal container's file set (tools/rootfs.sh, the Dockerfile's final image): prg runs chrooted
// into it as an unprivileged user and serves an encrypted round trip. The test needs root (chroot);
// without it it fails, it never skips.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ContainerRootfsTests
{
    private const int Uid = 65532;

    [Fact]
    public async Task PrgServesARoundTripChrootedIntoTheRootfsAsAnUnprivilegedUser()
    {
        Assert.True(ParseUid() == 0, "this test runs prg under chroot, which needs root; run the suite as root (CI does)");
        string dir = PrgProcess.NewDirectory();
        string root = Path.Combine(dir, "rootfs");
        try
        {
            PrgCommand.Result build = await RunAsync(Path.Combine(RepoRoot(), "tools", "rootfs.sh"), root, PrgProcess.BinaryPath);
            Assert.True(build.Exit == 0, build.Stderr + build.Stdout);

            // Exactly prg, the C library, the loader, OpenSSL 3, passwd and group: no shell, nothing else.
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => "/" + Path.GetRelativePath(root, f)).Order().ToList();
            Assert.Contains("/usr/local/bin/prg", files);
            Assert.Equal(["/etc/group", "/etc/passwd", "/usr/local/bin/prg"], files.Where(f => !f.Contains("/lib", StringComparison.Ordinal)));
            Assert.Equal(["ld-linux-x86-64.so.2", "libc.so.6", "libcrypto.so.3", "libm.so.6", "libssl.so.3"],
                files.Where(f => f.Contains("/lib", StringComparison.Ordinal)).Select(Path.GetFileName).Order());

            // What a container runtime supplies in /dev (.NET's Guid.NewGuid reads /dev/urandom).
            Directory.CreateDirectory(Path.Combine(root, "dev"));
            foreach ((string name, int minor) in new[] { ("null", 3), ("zero", 5), ("random", 8), ("urandom", 9) })
            {
                Assert.Equal(0, (await RunAsync("mknod", "-m", "666", Path.Combine(root, "dev", name), "c", "1", minor.ToString())).Exit);
            }

            int port = PrgProcess.FreePort();
            string config = Path.Combine(root, "data", "config.yaml");
            await File.WriteAllTextAsync(config, $"""
                server:
                  address: 127.0.0.1
                  port: {port}
                  db_path: /data/db
                  api_keys:
                    admin: [{PrgProcess.AdminKey}]
                    backend: [{PrgProcess.BackendKey}]
                    signing: [{PrgProcess.SigningKey}]
                encryption:
                  enabled: true
                  kms:
                    master_key_hex: {PrgProcess.MasterKeyHex}
                """);
            var info = new ProcessStartInfo("chroot") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string arg in new[] { $"--userspec={Uid}:{Uid}", root, "/usr/local/bin/prg", "serve", "--config", "/data/config.yaml" })
            {
                info.ArgumentList.Add(arg);
            }

            using Process server = Process.Start(info)!;
            Task<string> stderr = server.StandardError.ReadToEndAsync();
            try
            {
                await WaitReadyAsync(port, server, stderr);
                using var client = new ApiClient(port);
                string thread = await client.CreateThreadAsync("alice", "in a container");
                string message = await client.PostMessageAsync("alice", thread, new JsonObject { ["text"] = "round trip" });
                JsonNode read = await client.GetOkAsync($"/v1/threads/{Uri.EscapeDataString(thread)}/messages/{Uri.EscapeDataString(message)}", "alice");
                Assert.Equal("round trip", read["message"]!["body"]!["text"]!.GetValue<string>());
                Assert.Equal("in a container", (await client.GetOkAsync($"/v1/threads/{Uri.EscapeDataString(thread)}", "alice"))["thread"]!["title"]!.GetValue<string>());
            }
            finally
            {
                using (Process kill = Process.Start("kill", ["-TERM", server.Id.ToString()]))
                {
                    await kill.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await server.WaitForExitAsync(timeout.Token);
            }
            Assert.True(server.ExitCode == 0, await stderr);
            // The store was written by the unprivileged user.
            Assert.Equal(Uid, GetOwner(Path.Combine(root, "data", "db", "store", "FORMAT")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task WaitReadyAsync(int port, Process server, Task<string> stderr)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 20;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (server.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"prg in the chroot exited with {server.ExitCode}: {await stderr}");
            }

            try
            {
                using var client = new RawClient(port);
                if ((await client.SendAsync("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")).Status == 200)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // not listening yet
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("prg in the chroot did not become ready");
    }

    private static async Task<PrgCommand.Result> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = RepoRoot() };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new PrgCommand.Result(process.ExitCode, await stdout, await stderr);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tools", "rootfs.sh")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("tools/rootfs.sh not found above " + AppContext.BaseDirectory);
    }

    private static int ParseUid()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static int GetOwner(string path)
    {
        var info = new ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true };
        using Process stat = Process.Start(info)!;
        string text = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return int.Parse(text.Trim());
    }
}
