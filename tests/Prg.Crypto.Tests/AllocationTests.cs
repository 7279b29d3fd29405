// Allocation budget of the hot path: the span API allocates nothing, and the provider's single
// encrypt/decrypt of a cached key allocates only the output array.
namespace Prg.Crypto.Tests;

public sealed class AllocationTests
{
    [Fact]
    public void SpanApiEncryptAndDecryptOfOneKilobyteAllocateNothing()
    {
        using var aes = TestSupport.NewAes(TestSupport.SequentialKey());
        byte[] plaintext = new byte[1024];
        byte[] frame = new byte[DataFrame.GetEncryptedLength(1024)];
        byte[] output = new byte[1024];
        var aad = RecordAad.ForMessageVersion("thread-0123456789", "1700000000000000000-000001", 1);
        RoundTrip(aes, aad, plaintext, frame, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RoundTrip(aes, aad, plaintext, frame, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task ProviderEncryptAndDecryptAllocateOnlyTheOutputArrays()
    {
        var store = new MemoryDekStore();
        await using var provider = EmbeddedKeyProviderTests.NewProvider(store, out _);
        string keyId = await EmbeddedKeyProviderTests.ProvisionAsync(provider, store, "t1");
        var aad = new RecordAad("t1", "m1:v1");
        ReadOnlyMemory<byte> plaintext = new byte[1024];
        Measure(provider, keyId, plaintext, aad);

        long allocated = Measure(provider, keyId, plaintext, aad);

        // One 1057-byte frame and one 1024-byte plaintext array per round trip, with array headers.
        long outputs = 100 * (1057 + 1024 + (2 * 24) + 16);
        Assert.InRange(allocated, 100 * (1057 + 1024), outputs);
    }

    private static long Measure(EmbeddedKeyProvider provider, string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            // Cached keys complete synchronously; GetResult keeps the measurement on this thread.
            byte[] frame = provider.EncryptAsync(keyId, plaintext, aad).GetAwaiter().GetResult();
            provider.DecryptAsync(keyId, frame, aad).GetAwaiter().GetResult();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void RoundTrip(System.Security.Cryptography.AesGcm aes, RecordAad aad, byte[] plaintext, byte[] frame, byte[] output)
    {
        DataFrame.Encrypt(aes, 1, aad, plaintext, frame);
        DataFrame.Decrypt(aes, frame, aad, output);
    }
}
