// The key store keeps keys across restarts, never overwrites them, and the service reconciles the
// KEK on record with the keys it is started with.
using System.Text.Json;
using Prg.Crypto;

namespace Prg.Kms.Tests;

public sealed class DurabilityTests
{
    [Fact]
    public async Task CreatedKey_IsThereAfterRestart_WithTheSameMaterial()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        (_, JsonElement created) = await kms.PostAsync("/create_dek_for_thread", """{"thread_id":"d1"}""");
        (_, JsonElement encrypted) = await kms.PostAsync("/encrypt", $$"""{"key_id":"dek_d1","plaintext":"{{Json.B64("keep")}}"}""");

        await kms.RestartAsync();

        (int status, JsonElement wrapped) = await kms.SendAsync("GET", "/get_wrapped?key_id=dek_d1");
        Assert.Equal(200, status);
        Assert.Equal(created.GetProperty("wrapped").GetString(), wrapped.GetProperty("wrapped").GetString());
        (_, JsonElement decrypted) = await kms.PostAsync("/decrypt", $$"""{"key_id":"dek_d1","ciphertext":"{{encrypted.GetProperty("ciphertext").GetString()}}"}""");
        Assert.Equal("keep", Json.Text(decrypted, "plaintext"));
        Assert.Equal(1, kms.Service.Store.Count);
    }

    [Fact]
    public async Task CreateIfAbsent_NeverOverwritesAnExistingKey()
    {
        using var dir = new TempDir();
        await using KmsKeyStore store = KmsKeyStore.Open(dir.File("s"));
        await using var provider = new EmbeddedKeyProvider(new KeyRing(MasterKey.Generate()), store);
        await using var other = new EmbeddedKeyProvider(new KeyRing(MasterKey.Generate()), new EmptyDekStore());
        DekInfo first = await provider.CreateDekForThreadAsync("x");
        DekInfo second = await other.CreateDekForThreadAsync("x");
        Assert.False(first.WrappedDek.Span.SequenceEqual(second.WrappedDek.Span));

        (ThreadKeyMaterial stored1, bool created1) = await store.CreateIfAbsentAsync(first.Material, default);
        (ThreadKeyMaterial stored2, bool created2) = await store.CreateIfAbsentAsync(second.Material, default);

        Assert.True(created1);
        Assert.False(created2);
        Assert.True(stored2.Current.WrappedDek.Span.SequenceEqual(first.WrappedDek.Span));
        Assert.True(store.Get(first.KeyId)!.Current.WrappedDek.Span.SequenceEqual(stored1.Current.WrappedDek.Span));
        Assert.Equal(1, store.Count);
        Assert.Equal(first.KeyId, store.GetKeyIdAt(0));
        Assert.Null(store.GetKeyIdAt(1));
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneThread_AllReturnTheSameKey()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        ThreadKeyMaterial[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => kms.Service.CreateDekAsync("same")));
        foreach (ThreadKeyMaterial material in results)
        {
            Assert.True(material.Current.WrappedDek.Span.SequenceEqual(results[0].Current.WrappedDek.Span));
        }

        Assert.Equal(1, kms.Service.Store.Count);
    }

    [Fact]
    public async Task Restart_WithAKeyTheStoreDoesNotKnow_IsRefusedWithAClearMessage()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        await kms.PostAsync("/create_dek_for_thread", """{"thread_id":"d2"}""");
        string stranger = kms.NewKeyFile("stranger.key");
        await kms.StopAsync();

        var e = await Assert.ThrowsAsync<KmsStartupException>(() => KmsService.StartAsync(kms.Options(masterKeyFile: stranger)));
        Assert.Contains("--previous-master-key-file", e.Message);
    }

    [Fact]
    public async Task Restart_WithNewKeyAndOldAsPrevious_RotatesTheKekAndKeepsDataReadable()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        await kms.PostAsync("/create_dek_for_thread", """{"thread_id":"d3"}""");
        (_, JsonElement encrypted) = await kms.PostAsync("/encrypt", $$"""{"key_id":"dek_d3","plaintext":"{{Json.B64("v")}}"}""");
        string oldKek = kms.Service.CurrentKekId;
        string newKey = kms.NewKeyFile("next.key");

        await kms.RestartAsync(masterKeyFile: newKey, previous: [kms.MasterKeyFile]);
        await kms.Service.Rotation.Sweep;

        Assert.Equal(2u, kms.Service.CurrentKekVersion);
        Assert.Equal(KekRotationState.Completed, kms.Service.Rotation.Status.State);
        (_, JsonElement wrapped) = await kms.SendAsync("GET", "/get_wrapped?key_id=dek_d3");
        Assert.NotEqual(oldKek, wrapped.GetProperty("kek_id").GetString());

        // Afterwards the old key can go: a restart with only the new key reads everything.
        await kms.RestartAsync(masterKeyFile: newKey);
        (int status, JsonElement decrypted) = await kms.PostAsync("/decrypt", $$"""{"key_id":"dek_d3","ciphertext":"{{encrypted.GetProperty("ciphertext").GetString()}}"}""");
        Assert.Equal(200, status);
        Assert.Equal("v", Json.Text(decrypted, "plaintext"));
        Assert.Equal(2u, kms.Service.CurrentKekVersion);
    }

    [Fact]
    public async Task LooseMasterKeyFile_IsRefusedAtStart()
    {
        using var dir = new TempDir();
        string key = dir.File("k");
        KeyFile.WriteNew(key);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var e = await Assert.ThrowsAsync<MasterKeyException>(() => KmsService.StartAsync(new KmsServiceOptions
        {
            SocketPath = dir.File("s.sock"),
            DataDirectory = dir.File("d"),
            MasterKeyFile = key,
        }));
        Assert.Contains("chmod 600", e.Message);
    }

    [Theory]
    [InlineData("10.1.2.3", false, true)]
    [InlineData("10.1.2.3", true, false)]
    [InlineData("127.0.0.1", false, false)]
    public void NonLoopbackTcp_NeedsInsecureTcp(string address, bool insecure, bool refused)
    {
        var options = new KmsServiceOptions
        {
            TcpEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(address), 6820),
            InsecureTcp = insecure,
            DataDirectory = "d",
            MasterKeyFile = "k",
        };
        if (refused)
        {
            Assert.Contains("--insecure-tcp", Assert.Throws<ArgumentException>(options.Validate).Message);
        }
        else
        {
            options.Validate();
        }
    }
}
