// KEK and DEK rotation against the AOT binary: started under concurrent writers, the server is
// killed (SIGKILL) mid-job and restarted; the job resumes from its checkpoint and finishes; every
// acknowledged write reads back; after a KEK rotation the old key can leave the configuration.
using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class EncryptionRotationTests
{
    private sealed record Written(string Thread, string Key, string Text);

    private static async Task<JsonNode> AdminAsync(ApiClient api, HttpMethod method, string path, object? body = null, int expected = 200)
    {
        var (status, json, _) = await api.SendAsync(method, path, body, key: PrgProcess.AdminKey);
        Assert.True(status == expected, $"{method} {path}: {status} {json?.ToJsonString()}");
        return json!;
    }

    /// <summary>
    /// The configuration with a pause after each rotation batch, so the job is still running when the test,
    /// polling however slowly on a loaded machine, sees it midway and kills the server.
    /// </summary>
    private static string Paced(string yaml) => yaml.Replace("encryption:\n", "encryption:\n  rotation_batch_pause: 200ms\n", StringComparison.Ordinal);

    private static async Task<JsonNode> WaitForJobAsync(ApiClient api, string jobId, Func<JsonNode, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await AdminAsync(api, HttpMethod.Get, $"/admin/jobs/{jobId}");
            if (until(job))
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, "job did not get there in time: " + job.ToJsonString());
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Starts prg in a fresh work directory whose data dir is a link to <paramref name="root"/>/data,
    /// so disposing one run (which deletes its work directory) keeps the store for the next.
    /// </summary>
    private static Task<PrgProcess> StartRunAsync(string root, string topYaml)
    {
        string dataDir = Path.Combine(root, "data");
        Directory.CreateDirectory(dataDir);
        string run = PrgProcess.NewDirectory();
        Directory.CreateSymbolicLink(Path.Combine(run, "data"), dataDir);
        return PrgProcess.StartAsync(topYaml: topYaml, workDir: run);
    }

    private static string State(JsonNode job) => job["state"]!.GetValue<string>();

    private static long Done(JsonNode job) => job["done"]!.GetValue<long>();

    /// <summary>Concurrent writers posting to the given threads until stopped; records what was acknowledged.</summary>
    private static (Task Run, ConcurrentBag<Written> Acked) StartWriters(int port, IReadOnlyList<string> threads, int writers, CancellationToken stop)
    {
        var acked = new ConcurrentBag<Written>();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            using var api = new ApiClient(port);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string thread = threads[(w * 7919 + i) % threads.Count];
                string text = $"w{w}-{i}";
                try
                {
                    var (status, json, _) = await api.SendAsync(HttpMethod.Post, $"/v1/threads/{thread}/messages",
                        new JsonObject { ["body"] = new JsonObject { ["text"] = text } }, user: "writer");
                    if (status == 201)
                    {
                        acked.Add(new Written(thread, json!["key"]!.GetValue<string>(), text));
                    }
                }
                catch (HttpRequestException)
                {
                    return; // the server was killed
                }
                catch (TaskCanceledException)
                {
                    return;
                }
            }
        })).ToArray();
        return (Task.WhenAll(tasks), acked);
    }

    private static async Task<List<string>> CreateThreadsAsync(int port, int count)
    {
        var threads = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            using var api = new ApiClient(port);
            for (int i = w; i < count; i += 8)
            {
                threads.Add(await api.CreateThreadAsync("writer", $"thread {i}"));
            }
        })));
        return [.. threads];
    }

    private static async Task AssertAllReadAsync(ApiClient api, IEnumerable<Written> written)
    {
        foreach (var group in written.GroupBy(w => w.Thread))
        {
            var bodies = new Dictionary<string, string>();
            string? before = null;
            while (true)
            {
                string page = before is null ? "" : "&before=" + Uri.EscapeDataString(before);
                var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{group.Key}/messages?limit=1000{page}", user: "writer");
                Assert.True(status == 200, $"list {group.Key}: {status} {json?.ToJsonString()}");
                foreach (var m in json!["messages"]!.AsArray())
                {
                    bodies[m!["key"]!.GetValue<string>()] = m["body"]!["text"]!.GetValue<string>();
                }
                if (!json["pagination"]!["has_before"]!.GetValue<bool>())
                {
                    break;
                }
                before = json["pagination"]!["before_anchor"]!.GetValue<string>();
            }
            foreach (var w in group)
            {
                Assert.True(bodies.TryGetValue(w.Key, out var text), $"acknowledged message {w.Key} is missing");
                Assert.Equal(w.Text, text);
            }
        }
    }

    [Fact]
    public async Task KekRotationSurvivesAKillMidJobAndTheOldKeyCanThenBeRemoved()
    {
        string work = PrgProcess.NewDirectory();
        string key1 = EncryptionTestKeys.WriteKeyFile(work, "k1.key", EncryptionTestKeys.Key1Hex);
        string key2 = EncryptionTestKeys.WriteKeyFile(work, "k2.key", EncryptionTestKeys.Key2Hex);
        var output = new List<string>();

        var prg = await StartRunAsync(work, Paced(EncryptionTestKeys.EncryptionYaml(key1)));
        List<string> threads;
        string jobId;
        ConcurrentBag<Written> acked;
        using (var api = new ApiClient(prg.Port))
        {
            threads = await CreateThreadsAsync(prg.Port, 1500);
            using var stop = new CancellationTokenSource();
            var writers = StartWriters(prg.Port, threads[..40], 4, stop.Token);
            acked = writers.Acked;
            await Task.Delay(200);

            var started = await AdminAsync(api, HttpMethod.Post, "/admin/encryption/rotate-kek", new JsonObject { ["master_key_file"] = key2 }, 202);
            jobId = started["job_id"]!.GetValue<string>();
            var conflict = await api.SendAsync(HttpMethod.Post, "/admin/encryption/rotate-kek", new JsonObject { ["master_key_file"] = key2 }, key: PrgProcess.AdminKey);
            Assert.Equal(409, conflict.Status);

            var midway = await WaitForJobAsync(api, jobId, j => Done(j) >= 200 || State(j) != "running", TimeSpan.FromSeconds(60));
            prg.Signal("KILL");
            await prg.WaitForExitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("running", State(midway));
            Assert.True(Done(midway) < midway["total"]!.GetValue<long>(), midway.ToJsonString());
            stop.Cancel();
            await writers.Run;
        }
        output.Add(prg.Output);
        await prg.DisposeAsync();
        Assert.NotEmpty(acked);

        // Restart with the configuration unchanged (old key): the job's new key is current and the job resumes.
        prg = await StartRunAsync(work, EncryptionTestKeys.EncryptionYaml(key1));
        using (var api = new ApiClient(prg.Port))
        {
            var done = await WaitForJobAsync(api, jobId, j => State(j) != "running" && State(j) != "queued", TimeSpan.FromSeconds(90));
            Assert.True(State(done) == "done", done.ToJsonString());
            Assert.Equal(0, done["errors"]!.GetValue<long>());
            Assert.Equal(done["total"]!.GetValue<long>(), Done(done));
            Assert.Contains("resuming job", prg.Output);
            await AssertAllReadAsync(api, acked);
            var kms = await AdminAsync(api, HttpMethod.Get, $"/admin/threads/{threads[0]}/kms");
            Assert.Equal(EncryptionTestKeys.KekId(EncryptionTestKeys.Key2Hex), kms["kek_id"]!.GetValue<string>());
            Assert.Equal(2, kms["kek_version"]!.GetValue<int>());
            Assert.DoesNotContain("wrapped", kms.ToJsonString());
        }
        prg.Signal("TERM");
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        output.Add(prg.Output);
        await prg.DisposeAsync();

        // The operator switches the configuration to the new key and deletes the old one.
        File.Delete(key1);
        prg = await StartRunAsync(work, EncryptionTestKeys.EncryptionYaml(key2));
        try
        {
            using var api = new ApiClient(prg.Port);
            await AssertAllReadAsync(api, acked);
            foreach (string thread in threads.Where((_, i) => i % 50 == 0))
            {
                var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: "writer");
                Assert.Equal(200, status);
                Assert.StartsWith("thread ", json!["thread"]!["title"]!.GetValue<string>());
            }
            Assert.Equal(201, (await api.SendAsync(HttpMethod.Post, $"/v1/threads/{threads[0]}/messages", new JsonObject { ["body"] = "after" }, user: "writer")).Status);
            output.Add(prg.Output);
        }
        finally
        {
            await prg.DisposeAsync();
        }
        EncryptionTestKeys.AssertNoKeyMaterial(string.Join("\n", output));
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task DekRotationSurvivesAKillMidJobAndEveryMessageEndsUnderTheNewVersion()
    {
        string work = PrgProcess.NewDirectory();
        string key1 = EncryptionTestKeys.WriteKeyFile(work, "k1.key", EncryptionTestKeys.Key1Hex);
        var output = new List<string>();
        var prg = await StartRunAsync(work, Paced(EncryptionTestKeys.EncryptionYaml(key1)));
        string thread;
        string jobId;
        ConcurrentBag<Written> acked;
        var edited = new ConcurrentDictionary<string, string>();
        using (var api = new ApiClient(prg.Port))
        {
            thread = await api.CreateThreadAsync("writer", "busy thread");
            using (var fill = new CancellationTokenSource())
            {
                var filler = StartWriters(prg.Port, [thread], 8, fill.Token);
                while (filler.Acked.Count < 1500)
                {
                    await Task.Delay(20);
                }
                fill.Cancel();
                await filler.Run;
                acked = filler.Acked;
            }
            foreach (var w in acked.Take(60))
            {
                var (status, _, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{w.Key}",
                    new JsonObject { ["body"] = new JsonObject { ["text"] = w.Text + "-edited" } }, user: "writer");
                Assert.Equal(200, status);
                edited[w.Key] = w.Text + "-edited";
            }

            using var stop = new CancellationTokenSource();
            var writers = StartWriters(prg.Port, [thread], 3, stop.Token);
            var started = await AdminAsync(api, HttpMethod.Post, $"/admin/threads/{thread}/rotate-dek", null, 202);
            jobId = started["job_id"]!.GetValue<string>();
            Assert.Equal(2, started["dek_version"]!.GetValue<int>());
            var midway = await WaitForJobAsync(api, jobId, j => Done(j) >= 150 || State(j) != "running", TimeSpan.FromSeconds(60));
            prg.Signal("KILL");
            await prg.WaitForExitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("running", State(midway));
            stop.Cancel();
            await writers.Run;
            foreach (var w in writers.Acked)
            {
                acked.Add(w);
            }
        }
        output.Add(prg.Output);
        await prg.DisposeAsync();

        prg = await StartRunAsync(work, EncryptionTestKeys.EncryptionYaml(key1));
        try
        {
            using var api = new ApiClient(prg.Port);
            var done = await WaitForJobAsync(api, jobId, j => State(j) is "done" or "failed", TimeSpan.FromSeconds(90));
            Assert.True(State(done) == "done", done.ToJsonString());
            Assert.Equal(0, done["errors"]!.GetValue<long>());
            Assert.Contains("resuming job", prg.Output);

            var kms = await AdminAsync(api, HttpMethod.Get, $"/admin/threads/{thread}/kms");
            Assert.Equal(2, kms["dek_version"]!.GetValue<int>());
            Assert.Equal(2, kms["dek_versions"]!.AsArray().Count);
            Assert.Equal(jobId, kms["rotation"]!["dek"]!["id"]!.GetValue<string>());
            Assert.Equal("done", kms["rotation"]!["dek"]!["state"]!.GetValue<string>());

            var latest = acked.Select(w => edited.TryGetValue(w.Key, out var text) ? w with { Text = text } : w).ToList();
            await AssertAllReadAsync(api, latest);
            foreach (var key in edited.Keys.Take(10))
            {
                var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{key}/versions", user: "writer");
                Assert.Equal(200, status);
                var versions = json!["versions"]!.AsArray();
                Assert.Equal(2, versions.Count);
                Assert.Equal(edited[key], versions[1]!["body"]!["text"]!.GetValue<string>());
            }
            var (metricsStatus, _, raw) = await api.SendAsync(HttpMethod.Get, "/metrics", key: PrgProcess.AdminKey);
            Assert.Equal(200, metricsStatus);
            string metrics = await raw.Content.ReadAsStringAsync();
            Assert.Contains("prg_decrypt_auth_failures_total 0\n", metrics);
            Assert.Contains("prg_jobs_total{event=\"done\"} 1\n", metrics);

            // The gauge agrees with what start-up logged (locked unless this host's mlock limit forbids it).
            bool lockedAtStart = prg.Output.Contains("key memory locked in RAM", StringComparison.Ordinal);
            Assert.Contains($"\nprg_key_memory_locked {(lockedAtStart ? 1 : 0)}\n", metrics);
            output.Add(prg.Output);
        }
        finally
        {
            await prg.DisposeAsync();
        }
        EncryptionTestKeys.AssertNoKeyMaterial(string.Join("\n", output));
        Directory.Delete(work, recursive: true);
    }
}
