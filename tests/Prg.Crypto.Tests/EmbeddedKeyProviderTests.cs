// The embedded provider: provisioning (idempotent), encrypt/decrypt and batches through the
// provider, per-item batch errors, unknown keys, the bounded DEK cache with zeroing on eviction
// and disposal, and correctness under concurrent use.
using System.Security.Cryptography;
using System.Text;

namespace Prg.Crypto.Tests;

public sealed class EmbeddedKeyProviderTests
{
    [Fact]
    public async Task CreateReturnsVersionOneWrappedUnderTheCurrentKekAndIsIdempotentOnceStored()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out string kekId);

        DekInfo info = await provider.CreateDekForThreadAsync("t1");

        Assert.Equal("dek_t1", info.KeyId);
        Assert.Equal(kekId, info.KekId);
        Assert.Equal(1u, info.KekVersion);
        Assert.Equal(1u, info.DekVersion);
        Assert.Equal(WrappedDekFrame.Length, info.WrappedDek.Length);
        Assert.Equal(0, store.Saves);

        store.Put(info.Material);
        DekInfo again = await provider.CreateDekForThreadAsync("t1");
        Assert.Equal(info.WrappedDek.ToArray(), again.WrappedDek.ToArray());
    }

    [Fact]
    public async Task EncryptedFrameDecryptsOnlyForItsRecord()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _);
        string keyId = await ProvisionAsync(provider, store, "t1");
        var aad = RecordAad.ForMessageVersion("t1", "m1", 1);

        byte[] frame = await provider.EncryptAsync(keyId, "hello there"u8.ToArray(), aad);

        Assert.Equal(1u, DataFrame.ReadDekVersion(frame));
        Assert.Equal("hello there", Encoding.UTF8.GetString(await provider.DecryptAsync(keyId, frame, aad)));
        await Assert.ThrowsAsync<FrameAuthenticationException>(async () => await provider.DecryptAsync(keyId, frame, RecordAad.ForTitle("t1")));
        await Assert.ThrowsAsync<MalformedFrameException>(async () => await provider.DecryptAsync(keyId, frame.AsMemory(0, 20), aad));
    }

    [Fact]
    public async Task FramesOfOneThreadDoNotDecryptUnderAnotherThreadsKey()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _);
        string key1 = await ProvisionAsync(provider, store, "t1");
        string key2 = await ProvisionAsync(provider, store, "t2");
        var aad = new RecordAad("t1", "m1:v1");
        byte[] frame = await provider.EncryptAsync(key1, "x"u8.ToArray(), aad);

        await Assert.ThrowsAsync<FrameAuthenticationException>(async () => await provider.DecryptAsync(key2, frame, aad));
    }

    [Fact]
    public async Task UnknownKeyIdIsReportedAsSuch()
    {
        await using var provider = NewProvider(new MemoryDekStore(), out _);

        var error = await Assert.ThrowsAsync<UnknownKeyException>(async () => await provider.EncryptAsync("dek_nope", new byte[1], new RecordAad("nope", "r")));

        Assert.Equal(UnknownKeyReason.KeyId, error.Reason);
        Assert.Contains("dek_nope", error.Message);
    }

    [Fact]
    public async Task BatchesRoundTripInOrderAndReportBadItemsIndividually()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _);
        string keyId = await ProvisionAsync(provider, store, "t1");
        var plain = Enumerable.Range(0, 50).Select(i => ((ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"body {i}"), new RecordAad("t1", $"m{i}:v1"))).ToList();

        byte[][] frames = await provider.EncryptBatchAsync(keyId, plain);

        var items = frames.Select((f, i) => ((ReadOnlyMemory<byte>)f, plain[i].Item2)).ToList();
        byte[] tampered = (byte[])frames[3].Clone();
        tampered[^1] ^= 1;
        byte[] unknownVersion = (byte[])frames[5].Clone();
        unknownVersion[4] = 9;
        items[3] = (tampered, items[3].Item2);
        items[4] = (new byte[] { 1, 2, 3 }, items[4].Item2);
        items[5] = (unknownVersion, items[5].Item2);
        items[6] = (frames[6], items[7].Item2);

        DecryptResult[] results = await provider.DecryptBatchAsync(keyId, items);

        Assert.Equal(50, results.Length);
        Assert.IsType<FrameAuthenticationException>(results[3].Error);
        Assert.IsType<MalformedFrameException>(results[4].Error);
        Assert.Equal(UnknownKeyReason.DekVersion, Assert.IsType<UnknownKeyException>(results[5].Error).Reason);
        Assert.IsType<FrameAuthenticationException>(results[6].Error);
        foreach (int i in Enumerable.Range(0, 50).Except([3, 4, 5, 6]))
        {
            Assert.True(results[i].IsSuccess);
            Assert.Null(results[i].Error);
            Assert.Equal($"body {i}", Encoding.UTF8.GetString(results[i].Plaintext!));
        }

        Assert.All(new[] { 3, 4, 5, 6 }, i => Assert.Null(results[i].Plaintext));
    }

    [Fact]
    public async Task PooledBatchBindsEachFrameToItsOwnThreadAndRecordAcrossThreadsAndLongIds()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _);
        string keyId = await ProvisionAsync(provider, store, "t1");
        string longThread = new('t', 300);
        string longKey = new('k', 200);
        RecordAad[] aads =
        [
            RecordAad.ForMessageVersion("t1", "m0", 1),
            RecordAad.ForMessageVersion("t1", "m1", 2),
            RecordAad.ForMessageVersion("t1-other", "m0", 1), // the AAD's thread changes mid-batch
            RecordAad.ForMessageVersion(longThread, longKey, 3), // too long for the stack buffer
            RecordAad.ForTitle("t1"),
            RecordAad.ForMessageVersion("t1", "m1", 2),
        ];
        var items = new List<(ReadOnlyMemory<byte> Frame, RecordAad Aad)>();
        for (int i = 0; i < aads.Length; i++)
        {
            items.Add((await provider.EncryptAsync(keyId, Encoding.UTF8.GetBytes($"body {i}"), aads[i]), aads[i]));
        }

        using (DecryptedBatch opened = await provider.DecryptBatchPooledAsync(keyId, items))
        {
            Assert.True(opened.AllSucceeded);
            Assert.Equal(Enumerable.Range(0, aads.Length).Select(i => $"body {i}"), Enumerable.Range(0, aads.Length).Select(i => Encoding.UTF8.GetString(opened[i])));
        }

        // Each frame under another item's AAD: thread, message, version and title all bound.
        var swapped = items.Select((item, i) => (item.Frame, aads[(i + 1) % aads.Length])).ToList();
        using DecryptedBatch rejected = await provider.DecryptBatchPooledAsync(keyId, swapped);
        Assert.All(Enumerable.Range(0, aads.Length), i => Assert.IsType<FrameAuthenticationException>(rejected.Error(i)));
    }

    [Fact]
    public async Task BatchForAnUnknownKeyIdFailsAsAWhole()
    {
        await using var provider = NewProvider(new MemoryDekStore(), out _);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(1)];
        frame[0] = DataFrame.FormatV1;

        await Assert.ThrowsAsync<UnknownKeyException>(async () =>
            await provider.DecryptBatchAsync("dek_nope", [(frame, new RecordAad("nope", "r"))]));
    }

    [Fact]
    public async Task StoreIsReadOncePerKeyWhileTheKeyIsCached()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _);
        string keyId = await ProvisionAsync(provider, store, "t1");
        int before = store.Gets;
        var aad = new RecordAad("t1", "m:v1");

        for (int i = 0; i < 20; i++)
        {
            byte[] frame = await provider.EncryptAsync(keyId, new byte[10], aad);
            await provider.DecryptAsync(keyId, frame, aad);
        }

        Assert.Equal(before + 1, store.Gets);
    }

    [Fact]
    public async Task CacheIsBoundedAndEvictedDeksAreZeroed()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _, new EmbeddedKeyProviderOptions { DekCacheCapacity = 2, AesGcmPoolSize = 1 });
        var keys = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            keys.Add(await ProvisionAsync(provider, store, $"t{i}"));
        }

        await provider.EncryptAsync(keys[0], new byte[1], new RecordAad("t0", "r"));
        FrameKey first = provider.CacheForTesting.PeekKeyForTesting(keys[0], 1)!;
        Assert.Contains(KeyBytes(first), b => b != 0);
        await provider.EncryptAsync(keys[1], new byte[1], new RecordAad("t1", "r"));
        await provider.EncryptAsync(keys[2], new byte[1], new RecordAad("t2", "r"));

        Assert.Equal(2, provider.CachedDekCount);
        Assert.Equal(1, provider.CacheEvictions);
        Assert.Null(provider.CacheForTesting.PeekKeyForTesting(keys[0], 1));
        Assert.True(first.IsDisposed);
        Assert.All(KeyBytes(first), b => Assert.Equal(0, b));
        Assert.Contains(KeyBytes(provider.CacheForTesting.PeekKeyForTesting(keys[2], 1)!), b => b != 0);

        // An evicted key still works: it is unwrapped again from the store.
        byte[] frame = await provider.EncryptAsync(keys[0], "back"u8.ToArray(), new RecordAad("t0", "r"));
        Assert.Equal("back"u8.ToArray(), await provider.DecryptAsync(keys[0], frame, new RecordAad("t0", "r")));
        Assert.Equal(2, provider.CachedDekCount);
    }

    [Fact]
    public void EvictionWaitsForInFlightUsersBeforeZeroing()
    {
        using var cache = new DekCache(1);
        ThreadKeyMaterial a = ThreadKeyMaterialTests.NewMaterial("dek_a", 1);
        ThreadKeyMaterial b = ThreadKeyMaterialTests.NewMaterial("dek_b", 1);
        var memory = new KeyMemory(static (_, _) => 0);
        CachedDek inUse = cache.AddAndAcquire(a, new CachedDek(1, new FrameKey(RandomNumberGenerator.GetBytes(32), 1, memory)));

        cache.AddAndAcquire(b, new CachedDek(1, new FrameKey(RandomNumberGenerator.GetBytes(32), 1, memory))).Release();

        Assert.Null(cache.PeekKeyForTesting("dek_a", 1));
        Assert.Null(cache.TryAcquire("dek_a", 1));
        Assert.False(inUse.Key.IsDisposed);
        Assert.Contains(KeyBytes(inUse.Key), x => x != 0);
        inUse.Release();
        Assert.True(inUse.Key.IsDisposed);
        Assert.False(inUse.TryAddReference()); // a reader that found it before eviction sees a miss
        Assert.All(KeyBytes(inUse.Key), x => Assert.Equal(0, x));
    }

    [Fact]
    public async Task DisposeZeroesEveryCachedDekAndTheMasterKey()
    {
        var store = new MemoryDekStore();
        var master = MasterKey.Generate();
        byte[]? masterBuffer = null;
        master.KeyBufferForTesting.OnReleaseForTesting = bytes => masterBuffer = bytes;
        var provider = new EmbeddedKeyProvider(new KeyRing(master), store, null, new KeyMemory(static (_, _) => 0));
        string keyId = await ProvisionAsync(provider, store, "t1");
        await provider.EncryptAsync(keyId, new byte[1], new RecordAad("t1", "r"));
        FrameKey key = provider.CacheForTesting.PeekKeyForTesting(keyId, 1)!;
        byte[] slotBefore = KeyBytes(key);

        await provider.DisposeAsync();

        Assert.Contains(slotBefore, b => b != 0);
        Assert.True(key.IsDisposed);
        Assert.All(KeyBytes(key), b => Assert.Equal(0, b));
        Assert.NotNull(masterBuffer);
        Assert.All(masterBuffer, b => Assert.Equal(0, b));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await provider.EncryptAsync(keyId, new byte[1], new RecordAad("t1", "r")));
    }

    [Fact]
    public async Task ConcurrentUseWithAChurningCacheKeepsEveryFrameCorrect()
    {
        var store = new MemoryDekStore();
        await using var provider = NewProvider(store, out _, new EmbeddedKeyProviderOptions { DekCacheCapacity = 2, AesGcmPoolSize = 2 });
        var keys = new string[6];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = await ProvisionAsync(provider, store, $"t{i}");
        }

        int failures = 0;
        await Parallel.ForAsync(0, 3000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            int k = i % keys.Length;
            var aad = new RecordAad($"t{k}", $"m{i}:v1");
            byte[] plaintext = BitConverter.GetBytes(i);
            byte[] frame = await provider.EncryptAsync(keys[k], plaintext, aad, ct);
            byte[] back = await provider.DecryptAsync(keys[k], frame, aad, ct);
            if (!back.AsSpan().SequenceEqual(plaintext))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
        Assert.InRange(provider.CachedDekCount, 1, 2);
        Assert.True(provider.CacheEvictions > 0);
    }

    // The locked key-memory slot behind a frame key (it stays mapped after release, zeroed).
    internal static unsafe byte[] KeyBytes(FrameKey key) => new ReadOnlySpan<byte>((void*)key.KeySlotForTesting, 32).ToArray();

    internal static EmbeddedKeyProvider NewProvider(MemoryDekStore store, out string kekId, EmbeddedKeyProviderOptions? options = null)
    {
        var master = MasterKey.Generate();
        kekId = master.KekId;
        // A private key arena, so a slot released here is not handed to another test before it is checked.
        return new EmbeddedKeyProvider(new KeyRing(master), store, options, new KeyMemory(static (_, _) => 0));
    }

    internal static async Task<string> ProvisionAsync(IKeyProvider provider, MemoryDekStore store, string threadId)
    {
        DekInfo info = await provider.CreateDekForThreadAsync(threadId);
        store.Put(info.Material);
        return info.KeyId;
    }
}
