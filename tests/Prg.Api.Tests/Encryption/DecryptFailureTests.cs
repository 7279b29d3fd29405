// A stored frame that does not authenticate (here: one message's frame copied over another's with
// the store's compare-and-swap, as a tampering stand-in) gives that read a clean 500 through the
// real host, other reads keep working, and /metrics counts the failures.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Prg.Api.Config;
using Prg.Logging;

namespace Prg.Api.Tests.Encryption;

public sealed class DecryptFailureTests
{
    private const string AdminKey = "admin-key-test";
    private const string BackendKey = "backend-key-test";

    private static PrgConfig Config(string dataDir)
    {
        var config = new PrgConfig();
        config.Server.Address = "127.0.0.1";
        config.Server.Port = FreePort();
        config.Server.DbPath = dataDir;
        config.Server.ApiKeys.Admin = [AdminKey];
        config.Server.ApiKeys.Backend = [BackendKey];
        config.Server.ApiKeys.Signing = ["signing-test"];
        config.Encryption.Enabled = true;
        config.Encryption.Kms.MasterKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        return config;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Status, JsonNode? Json, string Text)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null, string key = BackendKey)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("X-User-ID", "alice");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonNode? json = response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0 ? JsonNode.Parse(text) : null;
        return ((int)response.StatusCode, json, text);
    }

    [Fact]
    public async Task AFrameThatFailsAuthenticationIsA500ForThatReadAndIsCounted()
    {
        using var dir = new TempDirectory();
        string dataDir = dir.Combine("data");
        var log = new Log(new StringWriter(), LogLevel.Warn);
        string thread, m1, m2;

        var config = Config(dataDir);
        await using (var host = await ApiHost.StartAsync(config, zeroConfig: false, log))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{config.Server.Port}") };
            var (status, json, _) = await SendAsync(http, HttpMethod.Post, "/v1/threads", """{"title":"t"}""");
            Assert.Equal(201, status);
            thread = json!["key"]!.GetValue<string>();
            (status, json, _) = await SendAsync(http, HttpMethod.Post, $"/v1/threads/{thread}/messages", """{"body":{"text":"one"}}""");
            Assert.Equal(201, status);
            m1 = json!["key"]!.GetValue<string>();
            (status, json, _) = await SendAsync(http, HttpMethod.Post, $"/v1/threads/{thread}/messages", """{"body":{"text":"two"}}""");
            Assert.Equal(201, status);
            m2 = json!["key"]!.GetValue<string>();
        }

        await using (var store = EncryptedStore.OpenStore(Path.Combine(dataDir, "store")))
        {
            byte[] frame1 = store.GetMessage(thread, m1)!.Body;
            byte[] frame2 = store.GetMessage(thread, m2)!.Body;
            Assert.True(await store.ReplaceBodyAsync(thread, m2, 1, frame2, frame1));
        }

        config = Config(dataDir);
        await using (var host = await ApiHost.StartAsync(config, zeroConfig: false, log))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{config.Server.Port}") };
            var (status, json, _) = await SendAsync(http, HttpMethod.Get, $"/v1/threads/{thread}/messages/{m2}");
            Assert.Equal(500, status);
            Assert.StartsWith("decryption failed", json!["error"]!.GetValue<string>());
            (status, json, _) = await SendAsync(http, HttpMethod.Get, $"/v1/threads/{thread}/messages/{m1}");
            Assert.Equal(200, status);
            Assert.Equal("one", json!["message"]!["body"]!["text"]!.GetValue<string>());
            (status, json, _) = await SendAsync(http, HttpMethod.Get, $"/v1/threads/{thread}/messages");
            Assert.Equal(500, status);
            Assert.StartsWith("decryption failed", json!["error"]!.GetValue<string>());

            var (metricsStatus, _, metrics) = await SendAsync(http, HttpMethod.Get, "/metrics", key: AdminKey);
            Assert.Equal(200, metricsStatus);
            Assert.Contains("\nprg_decrypt_auth_failures_total 2\n", metrics);
            Assert.Contains("prg_kms_calls_total{op=\"decrypt\"} 2\n", metrics);
            Assert.Contains("prg_kms_calls_total{op=\"decrypt_batch\"} 1\n", metrics);
        }
    }
}
