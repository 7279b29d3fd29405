// Configs users already have start (issue 13): a reference-style file with flow mappings, and a file
// without an `encryption:` section, which gets the data directory's generated master key exactly as
// `prg serve` with no configuration does. A placeholder master key (one byte repeated, as the reference
// example ships) and a loose key file are refused with one line and exit code 1.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ConfigStartupTests
{
    private static string ServerYaml(int port, string dataDir) => $$"""
        server:
          address: 127.0.0.1
          port: {{port}}
          db_path: {{dataDir}}
          api_keys: {admin: [{{PrgProcess.AdminKey}}], backend: [{{PrgProcess.BackendKey}}], frontend: [{{PrgProcess.FrontendKey}}], signing: [{{PrgProcess.SigningKey}}]}

        """;

    [Fact]
    public async Task FlowMappingConfigStartsAndItsRateLimitApplies()
    {
        var work = PrgProcess.NewDirectory();
        var port = PrgProcess.FreePort();
        var dataDir = Path.Combine(work, "data");
        var config = Path.Combine(work, "config.yaml");
        // One token per 100 s after a burst of 3: the fourth request is refused with a long Retry-After,
        // which the default (1000 rps) would never give.
        await File.WriteAllTextAsync(config, ServerYaml(port, dataDir).Replace("  api_keys:", "  rate_limit: {rps: 0.01, burst: 3}\n  api_keys:")
            + $"encryption: {{enabled: true, kms: {{mode: embedded, master_key_hex: \"{PrgProcess.MasterKeyHex}\"}}}}\n");
        await using var prg = await PrgProcess.StartRawAsync(["serve", "--config", config], work, port, dataDir);
        using var api = new ApiClient(port);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/v1/threads", user: "flow")).Status);
        }
        var (status, _, raw) = await api.SendAsync(HttpMethod.Get, "/v1/threads", user: "flow");
        Assert.Equal(429, status);
        Assert.InRange(int.Parse(raw.Headers.GetValues("Retry-After").Single()), 50, 101);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey)).Status);
    }

    [Fact]
    public async Task ConfigWithoutEncryptionSectionEncryptsWithAGeneratedDataDirectoryKey()
    {
        const string marker = "MARKER-noenc-3f7a";
        var work = PrgProcess.NewDirectory();
        var port = PrgProcess.FreePort();
        var dataDir = Path.Combine(work, "data");
        var masterPath = Path.Combine(dataDir, "master.key");
        var config = Path.Combine(work, "config.yaml");
        await File.WriteAllTextAsync(config, ServerYaml(port, dataDir));
        // Each process deletes the work directory when disposed, so all are disposed at the end.
        var processes = new List<PrgProcess>();
        try
        {
            var first = await PrgProcess.StartRawAsync(["serve", "--config", config], work, port, dataDir);
            processes.Add(first);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(masterPath));
            Assert.Equal(1, Occurrences(first.Output, "generated master key"));
            Assert.Contains(masterPath, first.Output);
            string thread;
            using (var api = new ApiClient(port))
            {
                thread = await api.CreateThreadAsync("enc", "title " + marker);
                await api.PostMessageAsync("enc", thread, new JsonObject { ["text"] = "body " + marker });
            }
            first.Signal("TERM");
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(20)));

            byte[] needle = Encoding.UTF8.GetBytes(marker);
            foreach (string file in Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories))
            {
                Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) < 0, $"plaintext marker found in {file}");
            }

            // A restart reuses the key (nothing generated, nothing logged) and reads the thread back.
            var second = await PrgProcess.StartRawAsync(["serve", "--config", config], work, port, dataDir);
            processes.Add(second);
            using (var api = new ApiClient(port))
            {
                var json = await api.GetOkAsync($"/v1/threads/{thread}", user: "enc");
                Assert.Equal("title " + marker, json["thread"]!["title"]!.GetValue<string>());
            }
            Assert.Equal(0, Occurrences(second.Output, "generated master key"));
            second.Signal("TERM");
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(20)));

            // The generated key file is held to 0600 like any configured one.
            File.SetUnixFileMode(masterPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var third = await PrgProcess.StartRawAsync(["serve", "--config", config], work, port, dataDir, waitReady: false);
            processes.Add(third);
            Assert.Equal(1, await third.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            string line = Assert.Single(Lines(third.Output));
            Assert.Contains("has mode 0644 but must not be accessible by group or others", line);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task EmbeddedEncryptionWithoutAKeyUsesTheDataDirectoryKey()
    {
        await using var prg = await PrgProcess.StartAsync(topYaml: "encryption:\n  enabled: true\n  kms:\n    mode: embedded\n");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(prg.DataDir, "master.key")));
        Assert.Equal(1, Occurrences(prg.Output, "generated master key"));
        using var api = new ApiClient(prg.Port);
        await api.CreateThreadAsync("enc", "encrypted");
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("abababababababababababababababababababababababababababababababab")]
    public Task PlaceholderHexKeyIsRefusedNamingKeygen(string hex) =>
        AssertRefusedAsync(_ => $"encryption:\n  enabled: true\n  kms:\n    master_key_hex: \"{hex}\"\n", "encryption.kms.master_key_hex", hex);

    [Fact]
    public Task PlaceholderKeyFileIsRefusedNamingKeygen() =>
        AssertRefusedAsync(work => EncryptionTestKeys.EncryptionYaml(EncryptionTestKeys.WriteKeyFile(work, "zero.key", new string('7', 64))),
            "zero.key", new string('7', 64));

    private static async Task AssertRefusedAsync(Func<string, string> yamlFor, string names, string hex)
    {
        string work = PrgProcess.NewDirectory();
        await using var prg = await PrgProcess.StartAsync(topYaml: yamlFor(work), workDir: work, waitReady: false);
        Assert.Equal(1, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        string line = Assert.Single(Lines(prg.Output));
        Assert.StartsWith("prg:", line);
        Assert.Contains("placeholder", line);
        Assert.Contains("prg keygen", line);
        Assert.Contains(names, line);
        Assert.DoesNotContain(hex, line);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Occurrences(string text, string needle)
    {
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
