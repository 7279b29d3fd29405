// Configuration as an operator meets it (spec/api.md §7): a config file in the reference ProgressDB layout
// using every key (plus keys prg does not know) starts prg unchanged; environment variables override the
// file; `prg serve` with no configuration at all runs the embedded default; a bad cron stops start-up
// with one clear line; the debug request log never carries keys, signatures or bodies.
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ConfigCompatTests
{
    private const string FileBackendKey = "sk_example";
    private const string FileFrontendKey = "pk_example";
    private const string FileAdminKey = "admin_example";
    private const string FileSigningKey = "signing_example";

    /// <summary>The reference service's documented config.yaml layout (three-space indents and all), with every §7 key.</summary>
    private static string ReferenceConfig(int port, string dataDir, string level = "info") => $"""
        server:
           address: "127.0.0.1"
           port: {port}
           db_path: "{dataDir}"
           max_payload_size: "100KB"
           tls:
             cert_file: ""      # path to TLS cert file (enable TLS when set)
             key_file: ""       # path to TLS key file
           cors:
             allowed_origins:
               - "http://localhost:3000"
               - "https://example.com"
           rate_limit:
             rps: 500
             burst: 1000
           ip_whitelist: []
           api_keys:
             backend: ["{FileBackendKey}"]
             frontend: ["{FileFrontendKey}"]
             admin: ["{FileAdminKey}"]
             signing: ["{FileSigningKey}"]

        encryption:
          enabled: true
          fields: []
          kms:
            mode: "embedded"     # embedded | external
            endpoint: "127.0.0.1:6820"
            data_dir: "./kms-data"
            binary: "/usr/local/bin/prgkms"
            master_key_file: ""   # embedded mode only
            master_key_hex: "{PrgProcess.MasterKeyHex}"

        logging:
          level: "{level}"   # debug|info|warn|error

        validation:
          required: []
          types: []
          max_len: []
          enums: []
          when_then: []

        retention:
          enabled: true
          cron: "0 2 * * *"
          mttl: "720h"
          tttl: "720h"
          days: 0

        metrics:
          enabled: true
          path: "/metrics"

        admin:
          enable_viewer: true
          viewer_path: "/viewer/"
        """;

    private static string SignWith(string key, string user) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(user)));

    [Fact]
    public async Task AReferenceConfigFileStartsPrgUnchanged()
    {
        var work = PrgProcess.NewDirectory();
        var port = PrgProcess.FreePort();
        var dataDir = Path.Combine(work, "data");
        var config = Path.Combine(work, "config.yaml");
        await File.WriteAllTextAsync(config, ReferenceConfig(port, dataDir));
        await using var prg = await PrgProcess.StartRawAsync(["serve", "--config", config], work, port, dataDir);
        using var api = new ApiClient(port);

        var (status, json, _) = await api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"from the reference config"}""", key: FileBackendKey, user: "ref");
        Assert.Equal(201, status);
        var thread = json!["key"]!.GetValue<string>();
        (status, _, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", key: FileFrontendKey, user: "ref",
            headers: [new("X-User-Signature", SignWith(FileSigningKey, "ref"))]);
        Assert.Equal(200, status);
        (status, json, _) = await api.SendAsync(HttpMethod.Get, "/admin/stats", key: FileAdminKey);
        Assert.Equal(200, status);
        Assert.Equal(1, json!["threads"]!.GetValue<int>());
        (status, _, var raw) = await api.SendAsync(HttpMethod.Get, "/healthz", key: null, headers: [new("Origin", "https://example.com")]);
        Assert.Equal(200, status);
        Assert.Equal("https://example.com", raw.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(401, (await api.SendAsync(HttpMethod.Get, "/v1/threads", user: "ref")).Status);
        // Encryption came from the file: nothing readable on disk.
        Assert.True(Directory.Exists(dataDir));
        Assert.False(prg.HasExited);
    }

    [Fact]
    public async Task EnvironmentVariablesOverrideTheFileAndUnknownKeysAreLoggedAtDebug()
    {
        var work = PrgProcess.NewDirectory();
        var filePort = PrgProcess.FreePort();
        var envPort = PrgProcess.FreePort();
        var dataDir = Path.Combine(work, "data");
        var config = Path.Combine(work, "config.yaml");
        await File.WriteAllTextAsync(config, ReferenceConfig(filePort, dataDir));
        var env = new Dictionary<string, string>
        {
            ["PROGRESSDB_CONFIG"] = config,
            ["PROGRESSDB_SERVER_PORT"] = envPort.ToString(),
            ["PROGRESSDB_API_BACKEND_KEYS"] = "env-backend-1, env-backend-2",
            ["PROGRESSDB_CORS_ORIGINS"] = "https://env.example",
            ["PROGRESSDB_LOG_LEVEL"] = "debug",
        };
        await using var prg = await PrgProcess.StartRawAsync(["serve"], work, envPort, dataDir, env);
        using var api = new ApiClient(envPort);
        Assert.Equal(201, (await api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"x"}""", key: "env-backend-2", user: "env")).Status);
        Assert.Equal(401, (await api.SendAsync(HttpMethod.Get, "/v1/threads", key: FileBackendKey, user: "env")).Status);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/admin/stats", key: FileAdminKey)).Status);
        var (_, _, raw) = await api.SendAsync(HttpMethod.Get, "/healthz", key: null, headers: [new("Origin", "https://env.example")]);
        Assert.Equal("https://env.example", raw.Headers.GetValues("Access-Control-Allow-Origin").Single());
        (_, _, raw) = await api.SendAsync(HttpMethod.Get, "/healthz", key: null, headers: [new("Origin", "https://example.com")]);
        Assert.False(raw.Headers.Contains("Access-Control-Allow-Origin"));

        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, filePort));

        var output = prg.Output;
        foreach (var unknown in new[] { "server.tls", "validation", "metrics", "admin", "retention.days", "encryption.kms.data_dir" })
        {
            Assert.Contains(unknown, output);
        }
        Assert.Contains("config key not used by prg", output);
    }

    [Fact]
    public async Task ASecondServerOnABusyPortRefusesToStart()
    {
        await using var first = await PrgProcess.StartAsync();
        var work = PrgProcess.NewDirectory();
        try
        {
            var config = Path.Combine(work, "config.yaml");
            await File.WriteAllTextAsync(config, ReferenceConfig(first.Port, Path.Combine(work, "data")));
            using var second = PrgProcess.Start(["serve", "--config", config], work, new Dictionary<string, string>());
            var stderrTask = second.StandardError.ReadToEndAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                try
                {
                    await second.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    second.Kill();
                    await second.WaitForExitAsync();
                    Assert.Fail("a second prg started on a port another prg is listening on: " + await stderrTask);
                }
            }
            var stderr = await stderrTask;
            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains($"cannot listen on 127.0.0.1:{first.Port}", stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task AnInvalidRetentionCronStopsStartUpWithOneClearLine()
    {
        var work = PrgProcess.NewDirectory();
        try
        {
            var config = Path.Combine(work, "config.yaml");
            await File.WriteAllTextAsync(config, ReferenceConfig(PrgProcess.FreePort(), Path.Combine(work, "data")).Replace("0 2 * * *", "0 25 * * *"));
            using var process = PrgProcess.Start(["serve", "--config", config], work, new Dictionary<string, string>());
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.NotEqual(0, process.ExitCode);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.Contains("retention.cron", lines[0]);
            Assert.Contains("cron hour field '25': 25 is outside 0-23", lines[0]);
            Assert.Contains(config, lines[0]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task DebugRequestLogsNeverContainKeysSignaturesOrBodies()
    {
        const string bodyMarker = "BODY-MARKER-5b1e";
        const string titleMarker = "TITLE-MARKER-77ac";
        await using var prg = await PrgProcess.StartAsync(topYaml: $"logging:\n  level: debug\nencryption:\n  enabled: true\n  kms:\n    master_key_hex: {PrgProcess.MasterKeyHex}\n");
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("logger", titleMarker);
        var message = await api.PostMessageAsync("logger", thread, new JsonObject { ["text"] = bodyMarker });
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}", new JsonObject { ["body"] = bodyMarker + "-2" }, user: "logger")).Status);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, $"/frontend/v1/threads/{thread}", key: PrgProcess.FrontendKey, user: "logger", signed: true)).Status);
        Assert.Equal(401, (await api.SendAsync(HttpMethod.Get, "/v1/threads", key: PrgProcess.FrontendKey, user: "logger",
            headers: [new("X-User-Signature", "deadbeef" + ApiClient.Sign("logger")[8..])])).Status);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/admin/stats", key: PrgProcess.AdminKey)).Status);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/v1/threads", key: null, user: "logger", headers: [new("X-API-Key", PrgProcess.BackendKey)])).Status);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Post, "/backend/v1/sign", """{"userId":"logger"}""")).Status);
        Assert.Equal(400, (await api.SendAsync(HttpMethod.Post, "/v1/threads", $$"""{"title":5,"secret":"{{bodyMarker}}"}""", user: "logger")).Status);
        prg.Signal("TERM");
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        var lines = prg.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var requestLines = 0;
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line); // every line is one JSON object
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            if (doc.RootElement.GetProperty("msg").GetString() == "request")
            {
                requestLines++;
                Assert.Equal("debug", doc.RootElement.GetProperty("level").GetString());
                Assert.True(doc.RootElement.TryGetProperty("status", out _));
                Assert.True(doc.RootElement.TryGetProperty("path", out _));
            }
        }
        Assert.True(requestLines >= 9, $"expected a debug line per request, found {requestLines}");
        foreach (var secret in new[]
        {
            PrgProcess.AdminKey, PrgProcess.BackendKey, PrgProcess.FrontendKey, PrgProcess.SigningKey, PrgProcess.MasterKeyHex,
            ApiClient.Sign("logger"), ApiClient.Sign("logger")[8..], bodyMarker, titleMarker,
        })
        {
            Assert.DoesNotContain(secret, prg.Output);
        }
    }

    [Fact]
    public async Task ServeWithNoConfigurationRunsTheEmbeddedDefault()
    {
        var work = PrgProcess.NewDirectory();
        var dataDir = Path.Combine(work, "prg-data");
        if (!PortIsFree(8080))
        {
            // Zero-config means port 8080 and nothing to change it: then the clear refusal is the behaviour to check.
            using var process = PrgProcess.Start(["serve"], work, new Dictionary<string, string>());
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.NotEqual(0, process.ExitCode);
            Assert.Contains("cannot listen on 127.0.0.1:8080", stderr);
            Directory.Delete(work, recursive: true);
            return;
        }

        var keysPath = Path.Combine(dataDir, "dev-keys.json");
        var masterPath = Path.Combine(dataDir, "master.key");
        await using (var prg = await PrgProcess.StartRawAsync(["serve"], work, 8080, dataDir))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(masterPath));
            Assert.Equal(1, CountOccurrences(prg.Output, keysPath));
            var keys = DevKeys(await File.ReadAllTextAsync(keysPath));
            Assert.NotEmpty(await File.ReadAllBytesAsync(masterPath));
            using var api = new ApiClient(8080);
            var (status, json, _) = await api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"zero config"}""", key: keys["backend"], user: "dev");
            Assert.Equal(201, status);
            var thread = json!["key"]!.GetValue<string>();
            Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/admin/stats", key: keys["admin"])).Status);
            Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", key: keys["frontend"], user: "dev",
                headers: [new("X-User-Signature", SignWith(keys["signing"], "dev"))])).Status);
            prg.Signal("TERM");
            Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public async Task TheEmbeddedDefaultReusesItsKeysAndDataOnRestart()
    {
        if (!PortIsFree(8080))
        {
            return; // covered by ServeWithNoConfigurationRunsTheEmbeddedDefault's refusal branch
        }
        var work = PrgProcess.NewDirectory();
        var dataDir = Path.Combine(work, "prg-data");
        var keysPath = Path.Combine(dataDir, "dev-keys.json");
        var masterPath = Path.Combine(dataDir, "master.key");
        var first = await PrgProcess.StartRawAsync(["serve"], work, 8080, dataDir);
        var keysJson = await File.ReadAllTextAsync(keysPath);
        var masterKey = await File.ReadAllBytesAsync(masterPath);
        var keys = DevKeys(keysJson);
        string thread;
        using (var api = new ApiClient(8080))
        {
            thread = await CreateAsync(api, keys["backend"]);
        }
        first.Signal("TERM");
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        var second = await PrgProcess.StartRawAsync(["serve"], work, 8080, dataDir);
        try
        {
            Assert.Equal(keysJson, await File.ReadAllTextAsync(keysPath));
            Assert.Equal(masterKey, await File.ReadAllBytesAsync(masterPath));
            Assert.Equal(1, CountOccurrences(second.Output, keysPath));
            using var api = new ApiClient(8080);
            var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", key: keys["backend"], user: "dev");
            Assert.Equal(200, status);
            Assert.Equal("survives", json!["thread"]!["title"]!.GetValue<string>());
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }

        static async Task<string> CreateAsync(ApiClient api, string key)
        {
            var (status, json, _) = await api.SendAsync(HttpMethod.Post, "/v1/threads", """{"title":"survives"}""", key: key, user: "dev");
            Assert.Equal(201, status);
            return json!["key"]!.GetValue<string>();
        }
    }

    private static Dictionary<string, string> DevKeys(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var keys = node.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value!.GetValue<string>());
        foreach (var role in new[] { "admin", "backend", "frontend", "signing" })
        {
            Assert.True(keys.ContainsKey(role), $"dev-keys.json has no {role} key: {json}");
        }
        return keys;
    }

    private static int CountOccurrences(string text, string needle)
    {
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
