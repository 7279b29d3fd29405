// Issue 16 in-process: the audit log's format, batching and size rotation; master keys from an
// inherited descriptor and systemd credentials; key memory locked; mutual-TLS option combinations.
using System.IO.Pipes;
using System.Net;
using System.Text.Json.Nodes;
using Prg.Crypto;

namespace Prg.Kms.Tests;

public sealed class KeyHoldingTests
{
    private const string KeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    [Fact]
    public async Task AuditLogRotatesBySizeAndKeepsN()
    {
        using var dir = new TempDir();
        string path = dir.File("audit.log");
        var log = AuditLog.Open(path, maxBytes: 4096, keep: 2);
        for (int i = 0; i < 200; i++)
        {
            log.Record("uid:1000", "encrypt", $"dek_t{i}", "ok");
        }

        await log.DisposeAsync();

        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All([path, path + ".1", path + ".2"], f => Assert.InRange(new FileInfo(f).Length, 1, 4096));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        string[] newest = await File.ReadAllLinesAsync(path);
        JsonNode last = JsonNode.Parse(newest[^1])!;
        Assert.Equal("dek_t199", last["key_id"]!.GetValue<string>());
        Assert.Equal("encrypt", last["op"]!.GetValue<string>());
        Assert.Equal("uid:1000", last["caller"]!.GetValue<string>());
        Assert.Equal("ok", last["result"]!.GetValue<string>());
        // Contiguous: the files hold the most recent lines in order, nothing lost between them.
        string[] all = [.. (await File.ReadAllLinesAsync(path + ".2")), .. (await File.ReadAllLinesAsync(path + ".1")), .. newest];
        int first = 200 - all.Length;
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal($"dek_t{first + i}", JsonNode.Parse(all[i])!["key_id"]!.GetValue<string>());
        }
    }

    [Fact]
    public void MasterKeyIsReadFromAPipeAndTheDescriptorClosed()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        int fd = (int)server.ClientSafePipeHandle.DangerousGetHandle();
        server.ClientSafePipeHandle.SetHandleAsInvalid(); // ownership passes to FromFileDescriptor
        string? pipe = DescriptorTarget(fd);
        Assert.StartsWith("pipe:", pipe);
        server.Write(System.Text.Encoding.ASCII.GetBytes(KeyHex + "\n"));
        server.Dispose(); // end of file for the reader

        using MasterKey key = MasterKey.FromFileDescriptor(fd);
        using MasterKey expected = MasterKey.FromHex(KeyHex);
        Assert.Equal(expected.KekId, key.KekId);
        // The number may already be reused by another test's file, but not for this pipe.
        Assert.NotEqual(pipe, DescriptorTarget(fd));
    }

    [Fact]
    public void MasterKeyFromACredentialNeedsTheCredentialsDirectory()
    {
        string? saved = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        using var dir = new TempDir();
        try
        {
            Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", null);
            Assert.Contains("CREDENTIALS_DIRECTORY is not set", Assert.Throws<MasterKeyException>(() => MasterKey.FromCredential("m")).Message);

            File.WriteAllText(dir.File("m"), KeyHex);
            File.SetUnixFileMode(dir.File("m"), UnixFileMode.UserRead);
            Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", dir.Path);
            using MasterKey key = MasterKey.FromCredential("m");
            using MasterKey expected = MasterKey.FromHex(KeyHex);
            Assert.Equal(expected.KekId, key.KekId);
            Assert.Throws<MasterKeyException>(() => MasterKey.FromCredential("../m"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", saved);
        }
    }

    [Fact]
    public void KeyMemoryIsLockedAndZeroedOnRelease()
    {
        LockedBuffer buffer = LockedMemory.Allocate(32);
        Assert.True(buffer.IsLocked, LockedMemory.Describe());
        buffer.Span.Fill(0xAB);
        Assert.True(LockedKilobytes() >= 4, "VmLck shows no locked memory");
        buffer.Dispose();
        Assert.True(buffer.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Theory]
    [InlineData(true, true, true, "127.0.0.1", false, null)]
    [InlineData(true, false, true, "10.0.0.5", false, "needs all of --tls-cert, --tls-key and --tls-client-ca")]
    [InlineData(true, true, true, null, false, "add --addr")]
    [InlineData(true, true, true, "10.0.0.5", true, "--insecure-tcp cannot be combined")]
    [InlineData(true, true, true, "10.0.0.5", false, null)]
    public void TlsOptionCombinations(bool cert, bool key, bool ca, string? address, bool insecure, string? error)
    {
        var options = new KmsServiceOptions
        {
            SocketPath = address is null ? "s.sock" : null,
            TcpEndPoint = address is null ? null : new IPEndPoint(IPAddress.Parse(address), 6820),
            InsecureTcp = insecure,
            TlsCertFile = cert ? "c.pem" : null,
            TlsKeyFile = key ? "c.key" : null,
            TlsClientCaFile = ca ? "ca.pem" : null,
            DataDirectory = "d",
            MasterKeyFile = "k",
        };
        if (error is null)
        {
            options.Validate();
        }
        else
        {
            Assert.Contains(error, Assert.Throws<ArgumentException>(options.Validate).Message);
        }
    }

    private static string? DescriptorTarget(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget;

    private static int LockedKilobytes()
    {
        string line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmLck:", StringComparison.Ordinal));
        return int.Parse(line["VmLck:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
