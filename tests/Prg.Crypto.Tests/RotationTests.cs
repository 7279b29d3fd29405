// DEK and KEK rotation through the embedded provider: old frames keep decrypting, new frames use
// the new DEK version, rewrapping moves every version to the new KEK, and once the old KEK is
// removed everything still decrypts (also from a fresh provider with only the new key).
using System.Text;

namespace Prg.Crypto.Tests;

public sealed class RotationTests
{
    [Fact]
    public async Task DekRotationMakesTheNewVersionCurrentAndOldFramesStillDecrypt()
    {
        var store = new MemoryDekStore();
        await using var provider = EmbeddedKeyProviderTests.NewProvider(store, out _);
        string keyId = await EmbeddedKeyProviderTests.ProvisionAsync(provider, store, "t1");
        var aad = new RecordAad("t1", "m1:v1");
        byte[] oldFrame = await provider.EncryptAsync(keyId, "old"u8.ToArray(), aad);

        DekInfo rotated = await provider.RotateDekAsync(keyId);
        byte[] newFrame = await provider.EncryptAsync(keyId, "new"u8.ToArray(), aad);

        Assert.Equal(2u, rotated.DekVersion);
        Assert.Equal(2u, store.Get(keyId).CurrentDekVersion);
        Assert.Equal(1u, DataFrame.ReadDekVersion(oldFrame));
        Assert.Equal(2u, DataFrame.ReadDekVersion(newFrame));
        Assert.Equal("old", Encoding.UTF8.GetString(await provider.DecryptAsync(keyId, oldFrame, aad)));
        Assert.Equal("new", Encoding.UTF8.GetString(await provider.DecryptAsync(keyId, newFrame, aad)));

        DecryptResult[] batch = await provider.DecryptBatchAsync(keyId, [(oldFrame, aad), (newFrame, aad)]);
        Assert.True(batch.All(r => r.IsSuccess));
    }

    [Fact]
    public async Task AnotherProviderSeesARotationThroughTheStoreWhenAFrameNamesTheNewVersion()
    {
        var store = new MemoryDekStore();
        var key = MasterKey.Generate();
        string hex = Convert.ToHexString(key.KeyBytes);
        await using var rotating = new EmbeddedKeyProvider(new KeyRing(key), store);
        await using var reader = new EmbeddedKeyProvider(new KeyRing(MasterKey.FromHex(hex)), store);
        string keyId = await EmbeddedKeyProviderTests.ProvisionAsync(rotating, store, "t1");
        var aad = new RecordAad("t1", "m1:v1");
        await reader.DecryptAsync(keyId, await rotating.EncryptAsync(keyId, "v1"u8.ToArray(), aad), aad);

        await rotating.RotateDekAsync(keyId);
        byte[] v2Frame = await rotating.EncryptAsync(keyId, "v2"u8.ToArray(), aad);

        Assert.Equal("v2", Encoding.UTF8.GetString(await reader.DecryptAsync(keyId, v2Frame, aad)));
    }

    [Fact]
    public async Task ConcurrentDekRotationsNeverLoseAVersion()
    {
        var store = new MemoryDekStore();
        await using var provider = EmbeddedKeyProviderTests.NewProvider(store, out _);
        string keyId = await EmbeddedKeyProviderTests.ProvisionAsync(provider, store, "t1");

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () => await provider.RotateDekAsync(keyId))));

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (uint)i), store.Get(keyId).Versions.Select(v => v.DekVersion));
    }

    [Fact]
    public async Task KekRotationRewrapsEveryVersionAndTheOldKeyCanThenBeRemoved()
    {
        var store = new MemoryDekStore();
        MasterKey oldKey = MasterKey.Generate();
        string oldKekId = oldKey.KekId;
        await using var provider = new EmbeddedKeyProvider(new KeyRing(oldKey), store);
        string keyId = await EmbeddedKeyProviderTests.ProvisionAsync(provider, store, "t1");
        var aad = new RecordAad("t1", "m1:v1");
        byte[] v1Frame = await provider.EncryptAsync(keyId, "one"u8.ToArray(), aad);
        await provider.RotateDekAsync(keyId);
        byte[] v2Frame = await provider.EncryptAsync(keyId, "two"u8.ToArray(), aad);

        MasterKey newKey = MasterKey.Generate();
        string newHex = Convert.ToHexString(newKey.KeyBytes);
        string newKekId = newKey.KekId;
        uint newVersion = provider.RotateKek(newKey);
        Assert.True(provider.NeedsRewrap(store.Get(keyId)));

        DekInfo rewrapped = await provider.RewrapDekAsync(keyId);

        Assert.Equal(2u, newVersion);
        Assert.Equal(newKekId, rewrapped.KekId);
        Assert.All(store.Get(keyId).Versions, v =>
        {
            Assert.Equal(newKekId, v.KekId);
            Assert.Equal(2u, v.KekVersion);
            Assert.Equal(2u, WrappedDekFrame.ReadKekVersion(v.WrappedDek.Span));
        });
        Assert.False(provider.NeedsRewrap(store.Get(keyId)));
        int saves = store.Saves;
        await provider.RewrapDekAsync(keyId);
        Assert.Equal(saves, store.Saves);

        Assert.True(provider.RemovePreviousKek(oldKekId));
        Assert.Empty(provider.KeyRing.PreviousKekIds);
        Assert.Equal("one", Encoding.UTF8.GetString(await provider.DecryptAsync(keyId, v1Frame, aad)));

        // A restart with only the new key (nothing cached) reads everything.
        await using var restarted = new EmbeddedKeyProvider(new KeyRing(MasterKey.FromHex(newHex), newVersion), store);
        Assert.Equal("one", Encoding.UTF8.GetString(await restarted.DecryptAsync(keyId, v1Frame, aad)));
        Assert.Equal("two", Encoding.UTF8.GetString(await restarted.DecryptAsync(keyId, v2Frame, aad)));
    }

    [Fact]
    public async Task WithoutRewrapRemovingTheOldKekMakesItsDeksUnavailable()
    {
        var store = new MemoryDekStore();
        MasterKey oldKey = MasterKey.Generate();
        string oldKekId = oldKey.KekId;
        string keyId;
        byte[] frame;
        var aad = new RecordAad("t1", "m1:v1");
        await using (var provider = new EmbeddedKeyProvider(new KeyRing(oldKey), store))
        {
            keyId = await EmbeddedKeyProviderTests.ProvisionAsync(provider, store, "t1");
            frame = await provider.EncryptAsync(keyId, "one"u8.ToArray(), aad);
        }

        await using var fresh = new EmbeddedKeyProvider(new KeyRing(MasterKey.Generate(), 2), store);
        var error = await Assert.ThrowsAsync<UnknownKeyException>(async () => await fresh.DecryptAsync(keyId, frame, aad));

        Assert.Equal(UnknownKeyReason.Kek, error.Reason);
        Assert.Contains(oldKekId, error.Message);
    }

    [Fact]
    public async Task RewrapUsesThePreviousKeyAfterARestartMidRotation()
    {
        var store = new MemoryDekStore();
        MasterKey oldKey = MasterKey.Generate();
        string oldHex = Convert.ToHexString(oldKey.KeyBytes);
        string keyId;
        var aad = new RecordAad("t1", "m1:v1");
        byte[] frame;
        await using (var provider = new EmbeddedKeyProvider(new KeyRing(oldKey), store))
        {
            keyId = await EmbeddedKeyProviderTests.ProvisionAsync(provider, store, "t1");
            frame = await provider.EncryptAsync(keyId, "one"u8.ToArray(), aad);
        }

        var ring = new KeyRing(MasterKey.Generate(), 2);
        ring.AddPrevious(MasterKey.FromHex(oldHex));
        await using var resumed = new EmbeddedKeyProvider(ring, store);
        await resumed.RewrapDekAsync(keyId);
        resumed.RemovePreviousKek(ring.PreviousKekIds.Single());

        Assert.Equal(ring.CurrentKekId, store.Get(keyId).Current.KekId);
        Assert.Equal("one", Encoding.UTF8.GetString(await resumed.DecryptAsync(keyId, frame, aad)));
    }

    [Fact]
    public void KeyRingRefusesDuplicateKeysAndTamperedWrapsDuringRewrap()
    {
        using var ring = new KeyRing(MasterKey.Generate());
        string currentHex;
        using (var probe = MasterKey.Generate())
        {
            currentHex = Convert.ToHexString(probe.KeyBytes);
        }

        ring.AddPrevious(MasterKey.FromHex(currentHex));
        Assert.Throws<ArgumentException>(() => ring.AddPrevious(MasterKey.FromHex(currentHex)));
        Assert.Throws<ArgumentException>(() => ring.Rotate(MasterKey.FromHex(currentHex)));

        ThreadKeyMaterial material = new(
            "dek_t1", [ring.Wrap("dek_t1", 1, new byte[32])]);
        ring.Rotate(MasterKey.Generate());
        byte[] tampered = material.Current.WrappedDek.ToArray();
        tampered[20] ^= 1;
        var bad = new ThreadKeyMaterial("dek_t1", [new WrappedDekVersion(1, tampered, material.Current.KekId, material.Current.KekVersion)]);

        Assert.Throws<FrameAuthenticationException>(() => ring.Rewrap(bad));
        Assert.Equal(ring.CurrentKekId, ring.Rewrap(material).Current.KekId);
    }
}
