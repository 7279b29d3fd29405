// The key service across hosts (issue 16), end to end against the AOT binary: `prg serve` talking to
// `prg kms` over mutual TLS with certificates made by openssl; refused clients (no certificate,
// another CA, expired, subject not allowed, TLS 1.2) create nothing; SIGHUP swaps the service's
// certificate while requests continue.
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class KmsTlsTests
{
    private static async Task<(KmsProcess Kms, TestCertificates Certs, int Port, string Work)> StartTlsKmsAsync(params string[] extra)
    {
        string work = PrgProcess.NewDirectory();
        TestCertificates certs = await TestCertificates.CreateAsync(work);
        string keyFile = EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex);
        int port = PrgProcess.FreePort();
        var kms = new KmsProcess(work, keyFile)
        {
            ExtraArgs =
            [
                "--addr", $"127.0.0.1:{port}", "--tls-cert", certs.Cert("kms"), "--tls-key", certs.Key("kms"),
                "--tls-client-ca", certs.CaFile, "--tls-allow-subject", "prg-serve-1", .. extra,
            ],
        };
        await kms.StartAsync();
        return (kms, certs, port, work);
    }

    private static string TlsYaml(TestCertificates certs, int port) =>
        "encryption:\n  enabled: true\n  kms:\n    mode: external\n    endpoint: https://127.0.0.1:" + port + "\n    tls:\n"
        + "      cert_file: " + certs.Cert("client") + "\n      key_file: " + certs.Key("client") + "\n"
        + "      ca_file: " + certs.CaFile + "\n      server_name: kms.test\n";

    private static async Task<int> KeyCountAsync(KmsProcess kms)
    {
        using var client = new RawClient(kms.SocketPath);
        RawResponse health = await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: kms\r\n\r\n");
        return JsonNode.Parse(health.Body)!["keys"]!.GetValue<int>();
    }

    /// <summary>Connects with the given client certificate and protocol and asks for a DEK; returns the HTTP status or null if refused.</summary>
    private static async Task<(int? Status, X509Certificate2? ServerCertificate)> TryCreateDekAsync(
        int port, TestCertificates certs, string? clientName, SslProtocols protocols = SslProtocols.Tls13)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var ssl = new SslStream(tcp.GetStream());
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "kms.test",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        };
        if (clientName is not null)
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPemFile(certs.Cert(clientName), certs.Key(clientName))];
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ssl.AuthenticateAsClientAsync(options, timeout.Token);
            var server = new X509Certificate2(ssl.RemoteCertificate!);
            byte[] body = """{"thread_id":"tls-probe"}"""u8.ToArray();
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"POST /create_dek_for_thread HTTP/1.1\r\nHost: kms\r\nContent-Length: {body.Length}\r\n\r\n"), timeout.Token);
            await ssl.WriteAsync(body, timeout.Token);
            var buffer = new byte[4096];
            int read = await ssl.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                return (null, server);
            }

            string head = Encoding.ASCII.GetString(buffer, 0, read);
            return (int.Parse(head.AsSpan(9, 3), provider: null), server);
        }
        catch (Exception e) when (e is IOException or AuthenticationException or SocketException)
        {
            return (null, null);
        }
    }

    [Fact]
    public async Task FullEncryptedSessionOverMutualTls()
    {
        string audit = Path.Combine(PrgProcess.NewDirectory(), "audit.log");
        var (kms, certs, port, work) = await StartTlsKmsAsync("--audit-log", audit);
        await using var kmsOwner = kms;
        const string marker = "MTLS-MARKER-7c41";
        await using var prg = await PrgProcess.StartAsync(topYaml: TlsYaml(certs, port), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        string thread = await api.CreateThreadAsync("alice", "title " + marker);
        for (int i = 0; i < 5; i++)
        {
            await api.PostMessageAsync("alice", thread, new JsonObject { ["text"] = $"body {i} " + marker });
        }

        var (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages", user: "alice");
        Assert.Equal(200, status);
        var texts = json!["messages"]!.AsArray().Select(m => m!["body"]!["text"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"body {i} " + marker).ToList(), texts);
        (status, json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}", user: "alice");
        Assert.Equal("title " + marker, json!["thread"]!["title"]!.GetValue<string>());
        Assert.Equal(1, await KeyCountAsync(kms));

        (status, _, var raw) = await api.SendAsync(HttpMethod.Get, "/metrics", key: PrgProcess.AdminKey);
        Assert.Equal(200, status);
        string metrics = await raw.Content.ReadAsStringAsync();
        long notAfter = new DateTimeOffset(X509Certificate2.CreateFromPem(File.ReadAllText(certs.Cert("client"))).NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
        Assert.Contains($"prg_kms_client_cert_expiry_seconds {notAfter}\n", metrics);

        Assert.Contains("TLS certificate loaded", kms.Output);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !(File.Exists(audit) && File.ReadAllText(audit).Contains("create_dek_for_thread")))
        {
            await Task.Delay(20);
        }

        string[] lines = await File.ReadAllLinesAsync(audit);
        Assert.Contains(lines, l => l.Contains("\"op\":\"create_dek_for_thread\""));
        Assert.All(lines, l => Assert.Equal("cert:CN=prg-serve-1", JsonNode.Parse(l)!["caller"]!.GetValue<string>()));
        EncryptionTestKeys.AssertNoKeyMaterial(prg.Output);
        EncryptionTestKeys.AssertNoKeyMaterial(kms.Output);
    }

    [Fact]
    public async Task ServerReloadsItsClientCertificateOnSighupAndKeepsServing()
    {
        var (kms, certs, port, work) = await StartTlsKmsAsync();
        await using var kmsOwner = kms;
        await using var prg = await PrgProcess.StartAsync(topYaml: TlsYaml(certs, port), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        string thread = await api.CreateThreadAsync("dan", "client reload");
        Assert.Equal(ExpiryOf(certs.Cert("client")), await ClientCertExpiryMetricAsync(api));

        await certs.IssueAsync("client-next", "prg-serve-1", "ca", server: false, days: 90);
        File.Move(certs.Cert("client-next"), certs.Cert("client"), overwrite: true);
        File.Move(certs.Key("client-next"), certs.Key("client"), overwrite: true);
        long renewed = ExpiryOf(certs.Cert("client"));
        prg.Signal("HUP");

        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && await ClientCertExpiryMetricAsync(api) != renewed)
        {
            await Task.Delay(50);
        }

        Assert.Equal(renewed, await ClientCertExpiryMetricAsync(api));
        Assert.False(prg.HasExited);
        await api.PostMessageAsync("dan", thread, new JsonObject { ["text"] = "after reload" });
    }

    private static long ExpiryOf(string certFile) =>
        new DateTimeOffset(X509Certificate2.CreateFromPem(File.ReadAllText(certFile)).NotAfter.ToUniversalTime()).ToUnixTimeSeconds();

    private static async Task<long> ClientCertExpiryMetricAsync(ApiClient api)
    {
        var (_, _, raw) = await api.SendAsync(HttpMethod.Get, "/metrics", key: PrgProcess.AdminKey);
        string line = (await raw.Content.ReadAsStringAsync()).Split('\n').Single(l => l.StartsWith("prg_kms_client_cert_expiry_seconds ", StringComparison.Ordinal));
        return long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(null)]        // no client certificate
    [InlineData("stranger")]  // signed by another CA
    [InlineData("expired")]   // our CA, but expired
    [InlineData("intruder")]  // our CA, subject not on --tls-allow-subject
    public async Task RefusedClientsCreateNothing(string? clientName)
    {
        var (kms, certs, port, _) = await StartTlsKmsAsync();
        await using var kmsOwner = kms;

        var (allowed, _) = await TryCreateDekAsync(port, certs, "client");
        Assert.Equal(200, allowed); // the same request with the right certificate works
        Assert.Equal(1, await KeyCountAsync(kms));

        var (refused, _) = await TryCreateDekAsync(port, certs, clientName);
        Assert.Null(refused);
        Assert.Equal(1, await KeyCountAsync(kms));
        // The key service logs the refused handshake on its own time: wait for the line, with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!kms.Output.Contains("refused", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Contains("refused", kms.Output);
    }

    [Fact]
    public async Task LooseTlsKeyFilesAreRefusedAtStartOnBothSides()
    {
        string work = PrgProcess.NewDirectory();
        TestCertificates certs = await TestCertificates.CreateAsync(work);
        const UnixFileMode loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(certs.Key("kms"), loose);
        string keyFile = EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex);
        await using var kms = new KmsProcess(work, keyFile)
        {
            ExtraArgs = ["--addr", $"127.0.0.1:{PrgProcess.FreePort()}", "--tls-cert", certs.Cert("kms"), "--tls-key", certs.Key("kms"), "--tls-client-ca", certs.CaFile],
        };
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(kms.StartAsync);
        Assert.Contains($"TLS key file '{certs.Key("kms")}' has mode 0644 but must not be accessible by group or others", refused.Message);

        File.SetUnixFileMode(certs.Key("client"), loose);
        var serverRefused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PrgProcess.StartAsync(topYaml: TlsYaml(certs, PrgProcess.FreePort()), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName));
        Assert.Contains($"prg: cannot start: TLS key file '{certs.Key("client")}' has mode 0644", serverRefused.Message);
    }

    [Fact]
    public async Task Tls12IsRefused()
    {
        var (kms, certs, port, _) = await StartTlsKmsAsync();
        await using var kmsOwner = kms;
        var (status, _) = await TryCreateDekAsync(port, certs, "client", SslProtocols.Tls12);
        Assert.Null(status);
        Assert.Equal(0, await KeyCountAsync(kms));
    }

    [Fact]
    public async Task SighupPicksUpANewCertificateWhileRequestsContinue()
    {
        var (kms, certs, port, work) = await StartTlsKmsAsync();
        await using var kmsOwner = kms;
        await using var prg = await PrgProcess.StartAsync(topYaml: TlsYaml(certs, port), workDir: Directory.CreateDirectory(Path.Combine(work, "srv")).FullName);
        using var api = new ApiClient(prg.Port);
        string thread = await api.CreateThreadAsync("bob", "reload");
        var (_, before) = await TryCreateDekAsync(port, certs, "client");

        using var stop = new CancellationTokenSource();
        int posted = 0;
        Task writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await api.PostMessageAsync("bob", thread, JsonValue.Create(posted)!);
                posted++;
            }
        });

        // A new certificate for the same name, swapped in by rename as an operator's tooling would.
        await certs.IssueAsync("kms-next", "kms.test", "ca", server: true);
        File.Move(certs.Cert("kms-next"), certs.Cert("kms"), overwrite: true);
        File.Move(certs.Key("kms-next"), certs.Key("kms"), overwrite: true);
        using (var hup = System.Diagnostics.Process.Start("kill", ["-HUP", kms.Pid.ToString()]))
        {
            await hup.WaitForExitAsync();
        }

        X509Certificate2? after = null;
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            (_, after) = await TryCreateDekAsync(port, certs, "client");
            if (after is not null && after.SerialNumber != before!.SerialNumber)
            {
                break;
            }

            await Task.Delay(50);
        }

        int postedAtReload = posted;
        while (posted < postedAtReload + 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        stop.Cancel();
        await writer; // throws if any post failed while the certificate changed
        Assert.NotNull(after);
        Assert.NotEqual(before!.SerialNumber, after!.SerialNumber);
        Assert.True(posted >= postedAtReload + 5, $"posts stalled after the reload ({posted})");
        Assert.Contains("TLS certificate reloaded", kms.Output);
        (int status, JsonNode? json, _) = await api.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages?limit=1000", user: "bob");
        Assert.Equal(200, status);
        Assert.Equal(posted, json!["messages"]!.AsArray().Count);
    }
}
