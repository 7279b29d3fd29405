// `prg export` → `prg import`: a fresh server then answers every read (threads, messages, versions,
// order, authors, timestamps) exactly as the source; a rerun adds nothing; `export | import` copies
// one live prg into another.
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class ExportImportTests
{
    [Fact]
    public async Task ExportThenImportIntoAFreshServerGivesIdenticalReadsAndARerunAddsNothing()
    {
        string dir = PrgProcess.NewDirectory();
        string file = Path.Combine(dir, "export.jsonl");
        await using PrgProcess source = await PrgProcess.StartAsync();
        await using PrgProcess target = await PrgProcess.StartAsync();
        string[] users = await SeedAsync(source);

        PrgCommand.Result export = await PrgCommand.RunAsync(["export", "--url", Url(source), "--admin-key", PrgProcess.AdminKey, "--backend-key", PrgProcess.BackendKey, "--out", file], dir);
        Assert.True(export.Exit == 0, export.Stderr);
        Assert.Contains("exported 3 users, 5 threads, 24 messages", export.Stderr);
        Assert.Contains("\"body\":{\"text\":\"gr\\u00FC\\u00DFe", await File.ReadAllTextAsync(file)); // readable bodies

        PrgCommand.Result import = await PrgCommand.RunAsync(["import", "--url", Url(target), "--admin-key", PrgProcess.AdminKey, "--in", file], dir);
        Assert.True(import.Exit == 0, import.Stderr + import.Stdout);
        Assert.Contains("5 threads (5 new), 24 messages (24 new)", import.Stdout);
        string expected = await ReadEverythingAsync(source, users);
        Assert.Equal(expected, await ReadEverythingAsync(target, users));

        PrgCommand.Result rerun = await PrgCommand.RunAsync(["import", "--url", Url(target), "--admin-key", PrgProcess.AdminKey, "--in", file], dir);
        Assert.True(rerun.Exit == 0, rerun.Stderr);
        Assert.Contains("5 threads (0 new), 24 messages (0 new)", rerun.Stdout);
        Assert.Equal(expected, await ReadEverythingAsync(target, users));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task ExportPipedIntoImportCopiesOneLivePrgIntoAnother()
    {
        await using PrgProcess source = await PrgProcess.StartAsync();
        await using PrgProcess target = await PrgProcess.StartAsync();
        string[] users = await SeedAsync(source);
        string prg = PrgProcess.BinaryPath;
        string pipeline = $"'{prg}' export --url {Url(source)} --admin-key {PrgProcess.AdminKey} --backend-key {PrgProcess.BackendKey}"
            + $" | '{prg}' import --url {Url(target)} --admin-key {PrgProcess.AdminKey} --backend-key {PrgProcess.BackendKey}";
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("set -o pipefail; " + pipeline);
        using Process shell = Process.Start(info)!;
        Task<string> stdout = shell.StandardOutput.ReadToEndAsync();
        Task<string> stderr = shell.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await shell.WaitForExitAsync(timeout.Token);
        Assert.True(shell.ExitCode == 0, await stderr);
        Assert.Contains("exported 3 users, 5 threads, 24 messages", await stderr);
        Assert.Contains("imported 3 users, 5 threads (5 new), 24 messages (24 new)", await stdout);
        Assert.Equal(await ReadEverythingAsync(source, users), await ReadEverythingAsync(target, users));
    }

    private static string Url(PrgProcess server) => $"http://127.0.0.1:{server.Port}";

    /// <summary>Three users, five threads (one retitled, one deleted), messages with edits, a deleted one and odd bodies.</summary>
    private static async Task<string[]> SeedAsync(PrgProcess server)
    {
        using var client = new ApiClient(server.Port);
        string[] users = ["alice", "bob", "carol:with:colons"];
        var threads = new List<(string User, string Key)>();
        foreach (string user in users)
        {
            for (int t = 0; t < (user == "alice" ? 3 : 1); t++)
            {
                threads.Add((user, await client.CreateThreadAsync(user, $"{user}'s thread {t} ✓")));
            }
        }
        string gone = await client.CreateThreadAsync("bob", "deleted thread");
        await client.PostMessageAsync("bob", gone, new JsonObject { ["text"] = "in a deleted thread" });
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, $"/v1/threads/{Uri.EscapeDataString(gone)}", user: "bob")).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Put, $"/v1/threads/{Uri.EscapeDataString(threads[1].Key)}", new JsonObject { ["title"] = "renamed" }, user: "alice")).Status);

        int n = 0;
        foreach ((string user, string thread) in threads)
        {
            for (int m = 0; m < 5; m++, n++)
            {
                JsonNode body = n % 3 == 0 ? new JsonObject { ["text"] = $"grüße {n}", ["nested"] = new JsonArray(1, "two", null) } : JsonValue.Create($"plain {n}")!;
                string key = await client.PostMessageAsync(user, thread, body);
                string path = $"/v1/threads/{Uri.EscapeDataString(thread)}/messages/{Uri.EscapeDataString(key)}";
                if (n % 4 == 1)
                {
                    for (int edit = 2; edit <= 3; edit++)
                    {
                        Assert.Equal(200, (await client.SendAsync(HttpMethod.Put, path, new JsonObject { ["body"] = new JsonObject { ["text"] = $"edit {edit} of {n}" } }, user: user)).Status);
                    }
                }
                if (n == 7)
                {
                    Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, path, user: user)).Status);
                }
            }
        }
        return users;
    }

    /// <summary>Every read a client can make of these users' data, as one string.</summary>
    private static async Task<string> ReadEverythingAsync(PrgProcess server, string[] users)
    {
        using var client = new ApiClient(server.Port);
        var all = new StringBuilder();
        foreach (string user in users)
        {
            JsonNode list = await client.GetOkAsync("/v1/threads?limit=1000", user);
            all.AppendLine(list.ToJsonString());
            all.AppendLine((await client.GetOkAsync("/v1/threads?limit=1000&sort_by=updated_ts", user)).ToJsonString());
            foreach (string thread in ApiClient.KeysOf(list["threads"]))
            {
                string t = Uri.EscapeDataString(thread);
                all.AppendLine((await client.GetOkAsync($"/v1/threads/{t}", user)).ToJsonString());
                JsonNode messages = await client.GetOkAsync($"/v1/threads/{t}/messages?limit=1000", user);
                all.AppendLine(messages.ToJsonString());
                all.AppendLine((await client.GetOkAsync($"/v1/threads/{t}/messages?limit=1000&sort_by=updated_ts", user)).ToJsonString());
                foreach (string message in ApiClient.KeysOf(messages["messages"]))
                {
                    all.AppendLine((await client.GetOkAsync($"/v1/threads/{t}/messages/{Uri.EscapeDataString(message)}/versions", user)).ToJsonString());
                }
            }
        }
        return all.ToString();
    }
}
