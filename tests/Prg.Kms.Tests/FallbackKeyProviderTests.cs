// Seed §3 fallback: with the service down and the master key configured locally, reads decrypt from
// the thread's stored wrapped DEK; writes fail closed; reads return to the service when it is back.
using System.Text;
using Prg.Crypto;

namespace Prg.Kms.Tests;

public sealed class FallbackKeyProviderTests
{
    [Fact]
    public async Task ServiceDown_ReadsUseTheLocalKey_WritesFailClosed_ThenRecovers()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        var threadMeta = new MemoryDekStore();
        var external = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = kms.Endpoint });
        await using var provider = new FallbackKeyProvider(
            external, new KeyRing(MasterKey.FromFile(kms.MasterKeyFile)), threadMeta, new FallbackKeyProviderOptions { RetryInterval = TimeSpan.Zero });

        DekInfo info = await provider.CreateDekForThreadAsync("f1");
        await threadMeta.SaveAsync(info.Material, default); // what the Api's thread-creating write does
        var aads = Enumerable.Range(0, 3).Select(i => new RecordAad("f1", "m" + i)).ToArray();
        byte[][] frames = await provider.EncryptBatchAsync(info.KeyId, aads.Select(a => ((ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a.RecordId), a)).ToArray());

        await kms.StopAsync();

        Assert.Equal("m0", Encoding.UTF8.GetString(await provider.DecryptAsync(info.KeyId, frames[0], aads[0])));
        Assert.True(provider.IsUsingFallback || provider.FallbackDecrypts > 0);
        DecryptResult[] page = await provider.DecryptBatchAsync(info.KeyId, frames.Select((f, i) => ((ReadOnlyMemory<byte>)f, aads[i])).ToArray());
        Assert.Equal(["m0", "m1", "m2"], page.Select(r => Encoding.UTF8.GetString(r.Plaintext!)));
        Assert.Equal(4, provider.FallbackDecrypts);

        // The fallback still authenticates: a frame moved to another record fails.
        await Assert.ThrowsAsync<FrameAuthenticationException>(() => provider.DecryptAsync(info.KeyId, frames[0], aads[1]).AsTask());

        await Assert.ThrowsAsync<KeyServiceUnavailableException>(() => provider.EncryptAsync(info.KeyId, "new"u8.ToArray(), aads[0]).AsTask());
        await Assert.ThrowsAsync<KeyServiceUnavailableException>(() => provider.CreateDekForThreadAsync("f2").AsTask());

        await kms.RestartAsync();
        long localBefore = provider.FallbackDecrypts;
        Assert.Equal("m1", Encoding.UTF8.GetString(await provider.DecryptAsync(info.KeyId, frames[1], aads[1])));
        Assert.Equal(localBefore, provider.FallbackDecrypts);
        Assert.False(provider.IsUsingFallback);
        Assert.NotNull(await provider.EncryptAsync(info.KeyId, "new"u8.ToArray(), aads[0]));
    }

    [Fact]
    public async Task Fallback_WithoutStoredMaterial_ReportsUnknownKey()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        var external = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = kms.Endpoint });
        await using var provider = new FallbackKeyProvider(external, new KeyRing(MasterKey.FromFile(kms.MasterKeyFile)), new MemoryDekStore());
        await kms.StopAsync();
        var e = await Assert.ThrowsAsync<UnknownKeyException>(() => provider.DecryptAsync("dek_q", new byte[40], new RecordAad("q", "r")).AsTask());
        Assert.Equal(UnknownKeyReason.KeyId, e.Reason);
    }

    [Fact]
    public async Task RotateDek_MirrorsTheNewMaterialIntoTheDekStore()
    {
        await using KmsHarness kms = await KmsHarness.StartAsync();
        var threadMeta = new MemoryDekStore();
        var external = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = kms.Endpoint });
        await using var provider = new FallbackKeyProvider(external, new KeyRing(MasterKey.FromFile(kms.MasterKeyFile)), threadMeta);
        DekInfo info = await provider.CreateDekForThreadAsync("f3");
        await threadMeta.SaveAsync(info.Material, default);

        DekInfo rotated = await provider.RotateDekAsync(info.KeyId);
        Assert.Equal(2u, rotated.DekVersion);
        Assert.Equal(2u, (await threadMeta.GetAsync(info.KeyId, default))!.CurrentDekVersion);
    }
}
