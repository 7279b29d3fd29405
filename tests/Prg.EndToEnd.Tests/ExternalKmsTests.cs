// External key service end to end (issue 6): `prg serve` in external mode talking to `prg kms` over a
// Unix socket, both the AOT binary. Full flow, key service faults (writes fail closed, reads fall back,
// recovery without a server restart), durability of a just-created key, start-up refusal, and the
// systemd units' flags.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ExternalKmsTests
{
    private static string ExternalYaml(KmsProcess kms, string? fallbackKeyFile) =>
        "encryption:\n  enabled: true\n  kms:\n    mode: external\n    endpoint: " + kms.Endpoint + "\n"
        + (fallbackKeyFile is null ? "" : "    master_key_file: " + fallbackKeyFile + "\n");

    private static async Task<(KmsProcess Kms, string Work, string KeyFile)> StartKmsAsync()
    {
        var work = PrgProcess.NewDirectory();
        var keyFile = EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex);
        var kms = new KmsProcess(work, keyFile);
        await kms.StartAsync();
        return (kms, work, keyFile);
    }

    [Fact]
    public async Task ServerInExternalModeRunsTheWholeFlowAndHoldsNoKeyMaterial()
    {
        var (kms, work, _) = await StartKmsAsync();
        await using var kmsOwner = kms;
        const string marker = "EXTERNAL-MARKER-51d0";
        await using var prg = await PrgProcess.StartAsync(topYaml: ExternalYaml(kms, fallbackKeyFile: null), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("alice", "title " + marker);
        var message = await api.PostMessageAsync("alice", thread, new JsonObject { ["text"] = "body " + marker });
        var (status, json, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{message}",
            new JsonObject { ["body"] = new JsonObject { ["text"] = "edit " + marker } }, user: "alice");
        Assert.Equal(200, status);
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages", user: "alice");
        Assert.Equal(200, status);
        Assert.Equal("edit " + marker, json!["messages"]![0]!["body"]!["text"]!.GetValue<string>());
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}/versions", user: "alice");
        Assert.Equal("body " + marker, json!["versions"]![0]!["body"]!["text"]!.GetValue<string>());
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: "alice");
        Assert.Equal("title " + marker, json!["thread"]!["title"]!.GetValue<string>());

        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/admin/threads/{thread}/kms", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        Assert.Equal("dek_" + thread, json!["key_id"]!.GetValue<string>());
        Assert.Null(json["wrapped_dek"]);
        Assert.Null(json["wrapped"]);

        prg.Signal("TERM");
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await kms.TerminateAsync());
        var needle = Encoding.UTF8.GetBytes(marker);
        foreach (var file in Directory.GetFiles(work, "*", SearchOption.AllDirectories))
        {
            Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) < 0, $"plaintext marker found in {file}");
        }
        EncryptionTestKeys.AssertNoKeyMaterial(prg.Output);
        EncryptionTestKeys.AssertNoKeyMaterial(kms.Output);
    }

    [Fact]
    public async Task KeyServiceDownMakesWritesFailClosedReadsFallBackAndServiceResumesWithoutRestart()
    {
        var (kms, work, keyFile) = await StartKmsAsync();
        await using var kmsOwner = kms;
        await using var prg = await PrgProcess.StartAsync(topYaml: ExternalYaml(kms, keyFile), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("bob", "resilient");
        var acknowledged = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            acknowledged.Add(await api.PostMessageAsync("bob", thread, JsonValue.Create(i)!));
        }

        // Writers keep posting while the key service dies under them.
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(async w =>
        {
            var statuses = new List<int>();
            while (!stop.IsCancellationRequested)
            {
                var (status, json, _) = await api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages",
                    new JsonObject { ["body"] = w }, user: "bob");
                statuses.Add(status);
                if (status == 201)
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add(json!["key"]!.GetValue<string>());
                    }
                }
            }
            return statuses;
        }).ToList();
        await Task.Delay(300);
        await kms.KillAsync();
        var killedAt = DateTime.UtcNow;
        await Task.Delay(3000);
        var (downStatus, downJson, _) = await api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", new JsonObject { ["body"] = "x" }, user: "bob");
        Assert.True(DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(10));
        Assert.Equal(503, downStatus);
        Assert.Contains("unavailable", downJson!["error"]!.GetValue<string>());
        var (createStatus, _, _) = await api.SendAsync(HttpMethod.Post, "/v1/threads", new JsonObject { ["title"] = "t" }, user: "bob");
        Assert.Equal(503, createStatus);
        stop.Cancel();
        var seen = (await Task.WhenAll(writers)).SelectMany(s => s).ToList();
        Assert.All(seen, s => Assert.True(s is 201 or 503, $"unexpected status {s}"));

        // Reads go on through the local fallback: every acknowledged write, nothing else.
        var (listStatus, list, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=1000", user: "bob");
        Assert.Equal(200, listStatus);
        var keys = list!["messages"]!.AsArray().Select(m => m!["key"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(acknowledged.ToHashSet(), keys);

        await kms.StartAsync();
        var again = await RetryPostAsync(api, thread, "bob");
        Assert.Equal(201, again);
    }

    private static async Task<int> RetryPostAsync(ApiClient api, string thread, string user)
    {
        // The provider probes the service again after its retry interval (about a second).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var status = 0;
        while (DateTime.UtcNow < deadline)
        {
            (status, _, _) = await api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages", new JsonObject { ["body"] = "back" }, user: user);
            if (status == 201)
            {
                break;
            }
            await Task.Delay(200);
        }
        return status;
    }

    [Fact]
    public async Task WithoutALocalMasterKeyReadsAlsoFailClosedWhileTheServiceIsDown()
    {
        var (kms, work, _) = await StartKmsAsync();
        await using var kmsOwner = kms;
        await using var prg = await PrgProcess.StartAsync(topYaml: ExternalYaml(kms, fallbackKeyFile: null), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("carol", "no fallback");
        var message = await api.PostMessageAsync("carol", thread, JsonValue.Create("hello")!);
        await kms.KillAsync();
        var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}", user: "carol");
        Assert.Equal(503, status);
        Assert.DoesNotContain("hello", json!.ToJsonString());
        await kms.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (status != 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{message}", user: "carol");
        }
        Assert.Equal(200, status);
        Assert.Equal("hello", json!["message"]!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task FeedsDecryptThroughTheServiceAndFailClosedLikeReadsWhileItIsDown()
    {
        var (kms, work, _) = await StartKmsAsync();
        await using var kmsOwner = kms;
        await using var prg = await PrgProcess.StartAsync(topYaml: ExternalYaml(kms, fallbackKeyFile: null), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("dora", "live");
        await api.PostMessageAsync("dora", thread, JsonValue.Create("secret hello")!);
        var events = $"/v1/threads/{thread}/events?after=0";
        using (var feed = await SseClient.OpenAsync(prg.Port, events, "dora"))
        {
            var created = await feed.NextAsync();
            Assert.Equal("secret hello", JsonNode.Parse(created!.Data)!["data"]!["body"]!.GetValue<string>());
        }

        await kms.KillAsync();
        using (var refused = await SseClient.OpenAsync(prg.Port, events, "dora"))
        {
            Assert.Equal(503, refused.Status);
            Assert.DoesNotContain("secret hello", await refused.ReadAllAsync());
        }
        var (pollStatus, polled, _) = await api.SendAsync(HttpMethod.Get, events + "&wait=0", user: "dora");
        Assert.Equal(503, pollStatus);
        Assert.DoesNotContain("secret hello", polled!.ToJsonString());

        await kms.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (pollStatus != 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            (pollStatus, polled, _) = await api.SendAsync(HttpMethod.Get, events + "&wait=0", user: "dora");
        }
        Assert.Equal(200, pollStatus);
        Assert.Equal("secret hello", polled![0]!["data"]!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task AKeyCreatedJustBeforeTheServiceIsKilledIsThereAfterItsRestart()
    {
        var (kms, work, _) = await StartKmsAsync();
        await using var kmsOwner = kms;
        await using var prg = await PrgProcess.StartAsync(topYaml: ExternalYaml(kms, fallbackKeyFile: null), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        var thread = await api.CreateThreadAsync("dave", "durable key");
        await kms.KillAsync();
        await kms.StartAsync();
        var status = await RetryPostAsync(api, thread, "dave");
        Assert.Equal(201, status);
        var (getStatus, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: "dave");
        Assert.Equal(200, getStatus);
        Assert.Equal("durable key", json!["thread"]!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServeRefusesToStartWhenTheKeyServiceIsUnreachable()
    {
        var work = PrgProcess.NewDirectory();
        var missing = new KmsProcess(work, "/nonexistent");
        var config = Path.Combine(work, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            server:
              port: {PrgProcess.FreePort()}
              db_path: {Path.Combine(work, "data")}
              api_keys:
                signing: [s]
            {ExternalYaml(missing, fallbackKeyFile: null)}
            """);
        using var process = PrgProcess.Start(["serve", "--config", config], work, new Dictionary<string, string>());
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(1, process.ExitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("prg: cannot start:", StringComparison.Ordinal) && l.Contains("unreachable"));
    }

    [Theory]
    [InlineData("prgkms.service")]
    [InlineData("prg.service")]
    public async Task SystemdUnitsUseOnlyFlagsTheBinaryKnows(string unit)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "prg.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("repository root");
        }
        var execStart = File.ReadAllLines(Path.Combine(root, "tools", "systemd", unit))
            .Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("/prg", execStart[0]);
        // Every flag is parsed (an unknown one is exit 2) before --help prints and exits 0.
        using var process = PrgProcess.Start([.. execStart[1..], "--help"], PrgProcess.NewDirectory(), new Dictionary<string, string>());
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{unit}: exit {process.ExitCode}: {stderr}");
    }
}
