// `prg backup` against a live server under write load, `prg restore` (with --verify and the master
// key), and `prg serve` on the restored directory; damaged and truncated archives are refused.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class BackupRestoreTests
{
    private const int Writers = 16;

    [Fact]
    public async Task BackupWhileSixteenWritersRunRestoresEveryWriteAcknowledgedBeforeThePoint()
    {
        string dir = PrgProcess.NewDirectory();
        string archive = Path.Combine(dir, "backup.tar");
        string keyFile = WriteKeyFile(dir);
        string restoredWork = PrgProcess.NewDirectory();
        string restoredData = Path.Combine(restoredWork, "data");
        var acked = new ConcurrentQueue<(int Writer, int Seq, string Key, long AckedAt)>();
        string[] threads = new string[Writers];
        PrgCommand.Result backup;
        long backupStarted;
        await using (PrgProcess server = await PrgProcess.StartAsync())
        using (var client = new ApiClient(server.Port))
        {
            for (int w = 0; w < Writers; w++)
            {
                threads[w] = await client.CreateThreadAsync($"writer{w}", $"thread of writer {w}");
            }

            using var stop = new CancellationTokenSource();
            Task[] writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                using var own = new ApiClient(server.Port);
                for (int seq = 0; !stop.IsCancellationRequested; seq++)
                {
                    string key = await own.PostMessageAsync($"writer{w}", threads[w], new JsonObject { ["text"] = Body(w, seq) });
                    acked.Enqueue((w, seq, key, Stopwatch.GetTimestamp()));
                }
            })).ToArray();
            await WaitUntilAsync(() => acked.Count >= 400 || writers.Any(t => t.IsFaulted), "400 acknowledged writes");
            backupStarted = Stopwatch.GetTimestamp();
            int ackedBefore = acked.Count;
            backup = await PrgCommand.RunAsync(["backup", "--url", $"http://127.0.0.1:{server.Port}", "--admin-key", PrgProcess.AdminKey, "--out", archive], dir);
            int ackedDuring = acked.Count - ackedBefore;
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            Assert.True(backup.Exit == 0, backup.Stderr + backup.Stdout);
            Assert.True(ackedDuring > 0, "the writers made no progress while the backup ran");
        }
        Assert.Contains("the master key is NOT in this backup", backup.Stdout);
        Assert.DoesNotContain(PrgProcess.MasterKeyHex, Encoding.ASCII.GetString(await File.ReadAllBytesAsync(archive)), StringComparison.OrdinalIgnoreCase);

        PrgCommand.Result restore = await PrgCommand.RunAsync(["restore", "--in", archive, "--data-dir", restoredData, "--verify", "--master-key-file", keyFile], dir);
        Assert.True(restore.Exit == 0, restore.Stderr + restore.Stdout);
        Assert.Contains("every checksum verified", restore.Stdout);
        Assert.Contains($"from all {Writers} threads", restore.Stdout);

        await using PrgProcess restored = await PrgProcess.StartAsync(workDir: restoredWork);
        using var reader = new ApiClient(restored.Port);
        var byWriter = acked.GroupBy(a => a.Writer).ToDictionary(g => g.Key, g => g.OrderBy(a => a.Seq).ToList());
        long present = 0;
        for (int w = 0; w < Writers; w++)
        {
            List<(string Key, string Text)> stored = await ReadAllAsync(reader, $"writer{w}", threads[w]);
            var expected = byWriter.GetValueOrDefault(w) ?? [];
            // Consistent to one point: each writer's messages in the restore are a prefix of what it wrote...
            Assert.True(stored.Count <= expected.Count, $"writer {w}: {stored.Count} restored, {expected.Count} acknowledged");
            for (int i = 0; i < stored.Count; i++)
            {
                Assert.Equal(expected[i].Key, stored[i].Key);
                Assert.Equal(Body(w, i), stored[i].Text);
            }
            // ...holding every write acknowledged before the backup started.
            int before = expected.Count(a => a.AckedAt < backupStarted);
            Assert.True(stored.Count >= before, $"writer {w}: only {stored.Count} restored of {before} acknowledged before the backup");
            present += stored.Count;
        }
        var (_, messages) = await reader.CountsAsync();
        Assert.Equal(present, messages);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task FlippedByteOrTruncatedArchiveIsRefusedWithOneLineAndLeavesNothing()
    {
        string dir = PrgProcess.NewDirectory();
        string archive = Path.Combine(dir, "backup.tar");
        await using (PrgProcess server = await PrgProcess.StartAsync())
        using (var client = new ApiClient(server.Port))
        {
            string thread = await client.CreateThreadAsync("alice", "t");
            for (int i = 0; i < 20; i++)
            {
                await client.PostMessageAsync("alice", thread, new JsonObject { ["text"] = $"m{i}" });
            }

            PrgCommand.Result backup = await PrgCommand.RunAsync(["backup", "--url", $"http://127.0.0.1:{server.Port}", "--admin-key", PrgProcess.AdminKey, "--out", archive], dir);
            Assert.True(backup.Exit == 0, backup.Stderr);
        }
        byte[] good = await File.ReadAllBytesAsync(archive);
        int manifest = IndexOf(good, "\"format\": \"prg-backup\""u8.ToArray());
        int walTail = LastNonZero(good, manifest - 520); // the last data entry (the WAL up to the point) ends before the manifest's header
        var damaged = new List<(string What, byte[] Bytes)>
        {
            ("a flipped byte in a tar header", Flip(good, 10)),
            ("a flipped byte in the first file", Flip(good, 512)),
            ("a flipped byte in the manifest", Flip(good, manifest + 3)),
            ("a flipped byte in the write-ahead log", Flip(good, walTail)),
            ("cut in half", good[..(good.Length / 2)]),
            ("cut inside the manifest checksum", good[..(good.Length - 1100)]),
            ("cut after 1000 bytes", good[..1000]),
        };
        foreach ((string what, byte[] bytes) in damaged)
        {
            string bad = Path.Combine(dir, "bad.tar");
            await File.WriteAllBytesAsync(bad, bytes);
            string target = Path.Combine(dir, "restored");
            PrgCommand.Result result = await PrgCommand.RunAsync(["restore", "--in", bad, "--data-dir", target], dir);
            Assert.True(result.Exit == 1, $"{what}: exit {result.Exit}: {result.Stdout}{result.Stderr}");
            Assert.StartsWith("prg: restore: ", result.Stderr);
            Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
            Assert.False(Directory.Exists(target), $"{what}: the refused restore left {target} behind");
        }
        PrgCommand.Result ok = await PrgCommand.RunAsync(["restore", "--in", archive, "--data-dir", Path.Combine(dir, "restored")], dir);
        Assert.True(ok.Exit == 0, ok.Stderr);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task BackupAndImportRoutesAnswerTheAdminKeyOnlyAndOneBackupRunsAtATime()
    {
        await using PrgProcess server = await PrgProcess.StartAsync();
        using var client = new ApiClient(server.Port);
        var routes = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Post, "/admin/backup", null),
            (HttpMethod.Get, "/admin/backup/abc/files/0", null),
            (HttpMethod.Delete, "/admin/backup/abc", null),
            (HttpMethod.Post, "/admin/import/threads", """{"key":"t1","author":"alice","title":"x","created_ts":1}"""),
            (HttpMethod.Post, "/admin/import/threads/t1/messages", """{"key":"k","author":"alice","created_ts":1,"body":1}"""),
        };
        foreach ((HttpMethod method, string path, string? body) in routes)
        {
            Assert.Equal(401, (await client.SendAsync(method, path, body, key: null)).Status);
            Assert.Equal(403, (await client.SendAsync(method, path, body, key: PrgProcess.BackendKey, user: "alice")).Status);
            Assert.Equal(403, (await client.SendAsync(method, path, body, key: PrgProcess.FrontendKey, user: "alice", signed: true)).Status);
        }
        Assert.Equal(0, (await client.CountsAsync()).Threads);

        var (status, started, _) = await client.SendAsync(HttpMethod.Post, "/admin/backup", key: PrgProcess.AdminKey);
        Assert.Equal(201, status);
        string id = started!["id"]!.GetValue<string>();
        var (second, error, _) = await client.SendAsync(HttpMethod.Post, "/admin/backup", key: PrgProcess.AdminKey);
        Assert.Equal(409, second);
        Assert.Contains("already running", error!["error"]!.GetValue<string>());
        Assert.Equal(400, (await client.SendAsync(HttpMethod.Get, $"/admin/backup/{id}/files/0?offset=x", key: PrgProcess.AdminKey)).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Get, $"/admin/backup/{id}/files/999", key: PrgProcess.AdminKey)).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, $"/admin/backup/{id}", key: PrgProcess.AdminKey)).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Get, $"/admin/backup/{id}/files/0", key: PrgProcess.AdminKey)).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Delete, $"/admin/backup/{id}", key: PrgProcess.AdminKey)).Status);
        Assert.Equal(201, (await client.SendAsync(HttpMethod.Post, "/admin/backup", key: PrgProcess.AdminKey)).Status);
    }

    private static string Body(int writer, int seq) => $"writer {writer} message {seq}";

    private static string WriteKeyFile(string dir)
    {
        string path = Path.Combine(dir, "master.key");
        File.WriteAllText(path, PrgProcess.MasterKeyHex + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>The thread's messages oldest first, paging back from the newest.</summary>
    private static async Task<List<(string Key, string Text)>> ReadAllAsync(ApiClient client, string user, string thread)
    {
        var all = new List<(string, string)>();
        string query = "limit=1000";
        while (true)
        {
            JsonNode page = await client.GetOkAsync($"/v1/threads/{Uri.EscapeDataString(thread)}/messages?{query}", user);
            var items = page["messages"]!.AsArray().Select(m => (m!["key"]!.GetValue<string>(), m["body"]!["text"]!.GetValue<string>())).ToList();
            all.InsertRange(0, items);
            if (!page["pagination"]!["has_before"]!.GetValue<bool>() || items.Count == 0)
            {
                return all;
            }

            query = "limit=1000&before=" + Uri.EscapeDataString(page["pagination"]!["before_anchor"]!.GetValue<string>());
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }

    private static byte[] Flip(byte[] bytes, int offset)
    {
        Assert.InRange(offset, 0, bytes.Length - 1);
        byte[] copy = (byte[])bytes.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private static int LastNonZero(byte[] bytes, int before)
    {
        for (int i = before; i >= 0; i--)
        {
            if (bytes[i] != 0)
            {
                return i;
            }
        }
        return -1;
    }
}
