// A page opened in one pooled batch: the same plaintexts as one-by-one opens, a bad frame fails the
// page as a counted 500, the key id of a kms block is parsed once per block (a rotated block is
// seen), and a page of 50 frames allocates a small fixed amount, not an array per frame.
using System.Text;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Crypto;

namespace Prg.Api.Tests.Encryption;

public sealed class RecordCipherPageTests : EmbeddedCipherFixture
{
    protected override IKeyProvider WrapProvider(EmbeddedKeyProvider provider) => new CountingKeyProvider(provider);

    [Fact]
    public async Task APageOpensToTheSamePlaintextsAsSingleOpens()
    {
        byte[] kms = await NewThreadAsync("t1");
        var items = await SealPageAsync(kms, "t1", 50);

        using DecryptedBatch page = await Cipher.OpenPageAsync(kms, items, default);

        Assert.Equal(50, page.Count);
        for (int i = 0; i < items.Count; i++)
        {
            byte[] single = await Cipher.OpenAsync(kms, items[i].Aad, items[i].Frame.ToArray(), default);
            Assert.Equal(single, page[i].ToArray());
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(page[i]));
        }
    }

    [Fact]
    public async Task ATamperedFrameFailsThePageAsACounted500()
    {
        byte[] kms = await NewThreadAsync("t1");
        var items = await SealPageAsync(kms, "t1", 5);
        byte[] tampered = items[3].Frame.ToArray();
        tampered[^1] ^= 1;
        items[3] = (tampered, items[3].Aad);

        var e = await Assert.ThrowsAsync<ApiException>(() => Cipher.OpenPageAsync(kms, items, default).AsTask());

        Assert.Equal(500, e.Status);
        Assert.Equal(1, Cipher.AuthenticationFailures);
    }

    [Fact]
    public async Task ARotatedKmsBlockIsSeenAndOldFramesStillOpen()
    {
        byte[] kms = await NewThreadAsync("t1");
        var old = await SealPageAsync(kms, "t1", 2);
        DekInfo rotated = await Provider.RotateDekAsync(KeyIds.ForThread("t1"));
        byte[] newKms = rotated.Material.ToUtf8Json();
        byte[] fresh = await Cipher.SealAsync(newKms, new RecordAad("t1", "m9:v1"), "new"u8.ToArray(), default);

        Assert.Equal(2u, DataFrame.ReadDekVersion(fresh));
        using DecryptedBatch page = await Cipher.OpenPageAsync(newKms, [.. old, (fresh, new RecordAad("t1", "m9:v1"))], default);
        Assert.Equal("new", Encoding.UTF8.GetString(page[2]));
        Assert.Equal("message 0", Encoding.UTF8.GetString(page[0]));
    }

    [Fact]
    public async Task APageOfFiftyAllocatesAFixedAmountNotAnArrayPerFrame()
    {
        byte[] kms = await NewThreadAsync("t1");
        var items = await SealPageAsync(kms, "t1", 50);
        (await Cipher.OpenPageAsync(kms, items, default)).Dispose();

        long perPage = AllocatedPerPage(Cipher, kms, items);

        Assert.InRange(perPage, 1, 50 * 24); // far below 50 arrays of a plaintext each
    }

    private static long AllocatedPerPage(RecordCipher cipher, byte[] kms, List<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            // Cached keys complete synchronously; GetResult keeps the measurement on this thread.
            cipher.OpenPageAsync(kms, items, default).GetAwaiter().GetResult().Dispose();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
    }

    private async Task<List<(ReadOnlyMemory<byte> Frame, RecordAad Aad)>> SealPageAsync(byte[] kms, string threadId, int count)
    {
        var items = new List<(ReadOnlyMemory<byte> Frame, RecordAad Aad)>();
        for (int i = 0; i < count; i++)
        {
            var aad = RecordAad.ForMessageVersion(threadId, $"m{i}", 1);
            items.Add((await Cipher.SealAsync(kms, aad, Encoding.UTF8.GetBytes($"message {i}"), default), aad));
        }

        return items;
    }
}
