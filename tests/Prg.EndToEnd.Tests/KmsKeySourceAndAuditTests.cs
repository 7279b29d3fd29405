// The master key from a secret store (issue 16): a systemd credentials directory (0400 files) and an
// inherited file descriptor (standard input), for `prg kms` and `prg serve`; and the key service's
// audit log: one line per operation, caller and outcome, never key bytes.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class KmsKeySourceAndAuditTests
{
    private static async Task<string> HealthKekIdAsync(KmsProcess kms)
    {
        using var client = new RawClient(kms.SocketPath);
        RawResponse health = await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: kms\r\n\r\n");
        return JsonNode.Parse(health.Body)!["kek_id"]!.GetValue<string>();
    }

    [Fact]
    public async Task KeyServiceReadsTheMasterKeyFromASystemdCredential()
    {
        string work = PrgProcess.NewDirectory();
        string credentials = Directory.CreateDirectory(Path.Combine(work, "credentials")).FullName;
        EncryptionTestKeys.WriteKeyFile(credentials, "prgkms-master", EncryptionTestKeys.Key1Hex, UnixFileMode.UserRead); // 0400, as systemd makes it
        await using var kms = new KmsProcess(work, "unused")
        {
            MasterKeyArgs = ["--master-key-credential", "prgkms-master"],
            Environment = new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = credentials },
        };
        await kms.StartAsync();
        Assert.Equal(EncryptionTestKeys.KekId(EncryptionTestKeys.Key1Hex), await HealthKekIdAsync(kms));
        EncryptionTestKeys.AssertNoKeyMaterial(kms.Output);
    }

    [Fact]
    public async Task KeyServiceRefusesALooseCredentialFile()
    {
        string work = PrgProcess.NewDirectory();
        string credentials = Directory.CreateDirectory(Path.Combine(work, "credentials")).FullName;
        EncryptionTestKeys.WriteKeyFile(credentials, "prgkms-master", EncryptionTestKeys.Key1Hex,
            UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var kms = new KmsProcess(work, "unused")
        {
            MasterKeyArgs = ["--master-key-credential", "prgkms-master"],
            Environment = new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = credentials },
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(kms.StartAsync);
        Assert.Contains("must not be accessible by group or others", error.Message);
    }

    [Fact]
    public async Task KeyServiceReadsTheMasterKeyFromStandardInput()
    {
        string work = PrgProcess.NewDirectory();
        await using var kms = new KmsProcess(work, "unused")
        {
            MasterKeyArgs = ["--master-key-fd", "0"],
            StandardInput = EncryptionTestKeys.Key2Hex + "\n",
        };
        await kms.StartAsync();
        Assert.Equal(EncryptionTestKeys.KekId(EncryptionTestKeys.Key2Hex), await HealthKekIdAsync(kms));
        Assert.Empty(Directory.GetFiles(work, "*.key", SearchOption.AllDirectories)); // the key never sat in a file
        EncryptionTestKeys.AssertNoKeyMaterial(kms.Output);
    }

    [Fact]
    public async Task ServerReadsTheMasterKeyFromAFileDescriptor()
    {
        string work = PrgProcess.NewDirectory();
        string config = Path.Combine(work, "config.yaml");
        int port = PrgProcess.FreePort();
        string dataDir = Path.Combine(work, "data");
        await File.WriteAllTextAsync(config,
            $"server:\n  address: 127.0.0.1\n  port: {port}\n  db_path: {dataDir}\n  api_keys:\n    admin: [{PrgProcess.AdminKey}]\n    backend: [{PrgProcess.BackendKey}]\n    signing: [{PrgProcess.SigningKey}]\n"
            + "encryption:\n  enabled: true\n  kms:\n    audit_log: " + Path.Combine(work, "admin-audit.log") + "\n");
        await using (var prg = await PrgProcess.StartRawAsync(["serve", "--config", config, "--master-key-fd", "0"], work, port, dataDir,
            standardInput: EncryptionTestKeys.Key1Hex + "\n"))
        {
            using var api = new ApiClient(prg.Port);
            string thread = await api.CreateThreadAsync("carol", "fd");
            await api.PostMessageAsync("carol", thread, new JsonObject { ["text"] = "secret" });
            (int status, JsonNode? json, _) = await api.SendAsync(HttpMethod.Get, $"/admin/threads/{thread}/kms", key: PrgProcess.AdminKey);
            Assert.Equal(200, status);
            Assert.Equal(EncryptionTestKeys.KekId(EncryptionTestKeys.Key1Hex), json!["kek_id"]!.GetValue<string>());
            Assert.False(File.Exists(Path.Combine(dataDir, "master.key"))); // no key was generated into the data dir
            string auditLog = Path.Combine(work, "admin-audit.log");
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline && !(File.Exists(auditLog) && File.ReadAllText(auditLog).Length > 0))
            {
                await Task.Delay(20);
            }

            JsonNode entry = JsonNode.Parse(Assert.Single(await File.ReadAllLinesAsync(auditLog)))!;
            Assert.Equal("admin_thread_kms", entry["op"]!.GetValue<string>());
            Assert.Equal("dek_" + thread, entry["key_id"]!.GetValue<string>());
            EncryptionTestKeys.AssertNoKeyMaterial(prg.Output);
        }
    }

    [Fact]
    public async Task AuditLogHasOneLinePerOperationAndNoKeyBytes()
    {
        string work = PrgProcess.NewDirectory();
        string keyFile = EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex);
        string audit = Path.Combine(work, "audit.log");
        await using var kms = new KmsProcess(work, keyFile) { ExtraArgs = ["--audit-log", audit] };
        await kms.StartAsync();

        using var client = new RawClient(kms.SocketPath);
        async Task<JsonNode> PostAsync(string path, string body)
        {
            RawResponse response = await client.SendAsync(
                $"POST {path} HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
            return JsonNode.Parse(response.Body)!;
        }

        JsonNode created = await PostAsync("/create_dek_for_thread", """{"thread_id":"t-audit"}""");
        string wrapped = created["wrapped"]!.GetValue<string>();
        JsonNode encrypted = await PostAsync("/encrypt", """{"key_id":"dek_t-audit","plaintext":"aGVsbG8="}""");
        string frame = encrypted["ciphertext"]!.GetValue<string>();
        await PostAsync("/decrypt_batch", $$"""{"key_id":"dek_t-audit","items":[{"ciphertext":"{{frame}}"},{"ciphertext":"{{frame}}"}]}""");
        await PostAsync("/decrypt", $$"""{"key_id":"dek_nobody","ciphertext":"{{frame}}"}""");
        await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: kms\r\n\r\n"); // not a key operation

        string[] lines = [];
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && lines.Length < 4)
        {
            lines = File.Exists(audit) ? await File.ReadAllLinesAsync(audit) : [];
            await Task.Delay(20);
        }

        Assert.Equal(4, lines.Length);
        JsonNode[] entries = [.. lines.Select(l => JsonNode.Parse(l)!)];
        Assert.Equal(["create_dek_for_thread", "encrypt", "decrypt_batch", "decrypt"], entries.Select(e => e["op"]!.GetValue<string>()));
        Assert.Equal(["ok", "ok", "ok", "unknown_key"], entries.Select(e => e["result"]!.GetValue<string>()));
        Assert.Equal(["dek_t-audit", "dek_t-audit", "dek_t-audit", "dek_nobody"], entries.Select(e => e["key_id"]!.GetValue<string>()));
        Assert.Equal(2, entries[2]["items"]!.GetValue<int>());
        Assert.All(entries, e => Assert.StartsWith("uid:", e["caller"]!.GetValue<string>()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(audit));

        string text = await File.ReadAllTextAsync(audit);
        EncryptionTestKeys.AssertNoKeyMaterial(text);
        Assert.DoesNotContain(wrapped, text);
        Assert.DoesNotContain(frame, text);
        Assert.DoesNotContain("aGVsbG8", text);
    }
}
