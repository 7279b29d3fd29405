// At rest after a DEK rotation: titles, message bodies and every stored version written before,
// re-encrypted by, and written after the rotation never appear in plaintext under the data dir,
// and the key metadata route shows ids and versions only.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class EncryptionAtRestTests
{
    [Fact]
    public async Task NothingUserWrittenIsStoredInPlaintextAcrossADekRotation()
    {
        const string before = "MARKER-before-4d1c";
        const string after = "MARKER-after-9e2b";
        var prg = await PrgProcess.StartAsync();
        string dataDir = prg.DataDir;
        try
        {
            using var api = new ApiClient(prg.Port);
            string thread = await api.CreateThreadAsync("erin", "title " + before);
            var messages = new List<string>();
            for (int i = 0; i < 30; i++)
            {
                messages.Add(await api.PostMessageAsync("erin", thread, new JsonObject { ["text"] = $"body {i} {before}" }));
            }
            foreach (string key in messages.Take(10))
            {
                var (edit, _, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{key}",
                    new JsonObject { ["body"] = new JsonObject { ["text"] = "edit " + before } }, user: "erin");
                Assert.Equal(200, edit);
            }

            var (status, json, _) = await api.SendAsync(HttpMethod.Post, $"/admin/threads/{thread}/rotate-dek", key: PrgProcess.AdminKey);
            Assert.Equal(202, status);
            string jobId = json!["job_id"]!.GetValue<string>();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do
            {
                (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/admin/jobs/{jobId}", key: PrgProcess.AdminKey);
                Assert.Equal(200, status);
                Assert.True(DateTime.UtcNow < deadline, json!.ToJsonString());
                await Task.Delay(10);
            }
            while (json!["state"]!.GetValue<string>() is "queued" or "running");
            Assert.Equal("done", json["state"]!.GetValue<string>());
            Assert.Equal(30, json["done"]!.GetValue<int>());
            Assert.Equal(30, json["total"]!.GetValue<int>());
            Assert.Equal(0, json["errors"]!.GetValue<int>());

            (status, _, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}", new JsonObject { ["title"] = "title " + after }, user: "erin");
            Assert.Equal(200, status);
            string late = await api.PostMessageAsync("erin", thread, new JsonObject { ["text"] = "late " + after });
            (status, _, _) = await api.SendAsync(HttpMethod.Put, $"/v1/threads/{thread}/messages/{messages[0]}",
                new JsonObject { ["body"] = new JsonObject { ["text"] = "edit2 " + after } }, user: "erin");
            Assert.Equal(200, status);

            (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{messages[0]}/versions", user: "erin");
            Assert.Equal(200, status);
            Assert.Equal(["body 0 " + before, "edit " + before, "edit2 " + after],
                json!["versions"]!.AsArray().Select(v => v!["body"]!["text"]!.GetValue<string>()));
            (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{late}", user: "erin");
            Assert.Equal("late " + after, json!["message"]!["body"]!["text"]!.GetValue<string>());

            var (kmsStatus, kms, raw) = await api.SendAsync(HttpMethod.Get, $"/admin/threads/{thread}/kms", key: PrgProcess.AdminKey);
            Assert.Equal(200, kmsStatus);
            Assert.Equal(2, kms!["dek_version"]!.GetValue<int>());
            Assert.Equal("dek_" + thread, kms["key_id"]!.GetValue<string>());
            Assert.Equal(1, kms["kek_version"]!.GetValue<int>());
            Assert.Equal([1, 2], kms["dek_versions"]!.AsArray().Select(v => v!["dek_version"]!.GetValue<int>()));
            Assert.DoesNotContain("wrapped", await raw.Content.ReadAsStringAsync());
            Assert.Equal(404, (await api.SendAsync(HttpMethod.Get, "/admin/threads/nope/kms", key: PrgProcess.AdminKey)).Status);
            Assert.Equal(404, (await api.SendAsync(HttpMethod.Get, "/admin/jobs/job-0-00000000", key: PrgProcess.AdminKey)).Status);
            Assert.Equal(403, (await api.SendAsync(HttpMethod.Get, $"/admin/threads/{thread}/kms", key: PrgProcess.BackendKey)).Status);
            var (badKey, badJson, _) = await api.SendAsync(HttpMethod.Post, "/admin/encryption/rotate-kek",
                new JsonObject { ["master_key_file"] = Path.Combine(prg.WorkDir, "missing.key") }, key: PrgProcess.AdminKey);
            Assert.Equal(400, badKey);
            Assert.StartsWith("master_key_file: the key could not be used", badJson!["error"]!.GetValue<string>());

            prg.Signal("TERM");
            Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            foreach (string marker in new[] { before, after })
            {
                byte[] needle = Encoding.UTF8.GetBytes(marker);
                foreach (string file in Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories))
                {
                    Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) < 0, $"plaintext {marker} found in {file}");
                }
                Assert.DoesNotContain(marker, prg.Output);
            }
            EncryptionTestKeys.AssertNoKeyMaterial(prg.Output);
        }
        finally
        {
            await prg.DisposeAsync();
        }
    }
}
