// Frames moved to where they do not belong (another message, version, thread, or the title) must
// fail authentication through RecordCipher with a clean 500 and be counted. Byte flips and
// truncation are covered by the Crypto layer's own frame tests.
using System.Text;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Crypto;

namespace Prg.Api.Tests.Encryption;

public sealed class RecordCipherTamperTests : EmbeddedCipherFixture
{
    private Task<byte[]> SealAsync(byte[] kms, RecordAad aad, string text) =>
        Cipher.SealAsync(kms, aad, Encoding.UTF8.GetBytes(text), default).AsTask();

    private async Task AssertRejectedAsync(byte[] kms, RecordAad aad, byte[] frame)
    {
        long before = Cipher.AuthenticationFailures;
        var e = await Assert.ThrowsAsync<ApiException>(() => Cipher.OpenAsync(kms, aad, frame, default).AsTask());
        Assert.Equal(500, e.Status);
        Assert.StartsWith("decryption failed", e.Message);
        Assert.Equal(before + 1, Cipher.AuthenticationFailures);
    }

    [Fact]
    public async Task AFrameOpensWhereItWasSealed()
    {
        byte[] kms = await NewThreadAsync("t1");
        var aad = RecordAad.ForMessageVersion("t1", "m1", 1);
        byte[] frame = await SealAsync(kms, aad, "hello");
        Assert.Equal("hello", Encoding.UTF8.GetString(await Cipher.OpenAsync(kms, aad, frame, default)));
        Assert.Equal(0, Cipher.AuthenticationFailures);
    }

    [Fact]
    public async Task AFrameCopiedToAnotherMessageOfTheThreadFails()
    {
        byte[] kms = await NewThreadAsync("t1");
        byte[] frame = await SealAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 1), "one");
        await AssertRejectedAsync(kms, RecordAad.ForMessageVersion("t1", "m2", 1), frame);
    }

    [Fact]
    public async Task AFrameCopiedToAnotherVersionOfTheMessageFails()
    {
        byte[] kms = await NewThreadAsync("t1");
        byte[] v1 = await SealAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 1), "first");
        byte[] v2 = await SealAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 2), "second");
        await AssertRejectedAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 2), v1);
        await AssertRejectedAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 1), v2);
    }

    [Fact]
    public async Task AFrameCopiedToAnotherThreadFailsUnderThatThreadsKey()
    {
        byte[] kmsA = await NewThreadAsync("ta");
        byte[] kmsB = await NewThreadAsync("tb");
        byte[] frame = await SealAsync(kmsA, RecordAad.ForMessageVersion("ta", "m1", 1), "secret");
        // Moved into thread b at the same message key: wrong key and wrong AAD.
        await AssertRejectedAsync(kmsB, RecordAad.ForMessageVersion("tb", "m1", 1), frame);
        // Even naming the original place, thread b's DEK cannot open it.
        await AssertRejectedAsync(kmsB, RecordAad.ForMessageVersion("ta", "m1", 1), frame);
        // And thread a's DEK refuses it at thread b's address.
        await AssertRejectedAsync(kmsA, RecordAad.ForMessageVersion("tb", "m1", 1), frame);
    }

    [Fact]
    public async Task TitleAndMessageFramesCannotStandInForEachOther()
    {
        byte[] kms = await NewThreadAsync("t1");
        byte[] title = await SealAsync(kms, RecordAad.ForTitle("t1"), "General");
        byte[] body = await SealAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 1), "{\"text\":\"hi\"}");
        await AssertRejectedAsync(kms, RecordAad.ForMessageVersion("t1", "m1", 1), title);
        await AssertRejectedAsync(kms, RecordAad.ForTitle("t1"), body);
    }

    [Fact]
    public async Task ATitleCopiedToAnotherThreadFails()
    {
        byte[] kmsA = await NewThreadAsync("ta");
        byte[] kmsB = await NewThreadAsync("tb");
        byte[] title = await SealAsync(kmsA, RecordAad.ForTitle("ta"), "A's title");
        await AssertRejectedAsync(kmsB, RecordAad.ForTitle("tb"), title);
    }

    [Fact]
    public async Task APageWithOneSwappedFrameFailsCleanlyAndIsCounted()
    {
        byte[] kms = await NewThreadAsync("t1");
        var aads = Enumerable.Range(1, 5).Select(i => RecordAad.ForMessageVersion("t1", $"m{i}", 1)).ToArray();
        var frames = new byte[aads.Length][];
        for (int i = 0; i < aads.Length; i++)
        {
            frames[i] = await SealAsync(kms, aads[i], $"message {i}");
        }
        var page = aads.Select((aad, i) => ((ReadOnlyMemory<byte>)frames[i], aad)).ToArray();
        using (DecryptedBatch opened = await Cipher.OpenPageAsync(kms, page, default))
        {
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"message {i}"), Enumerable.Range(0, opened.Count).Select(i => Encoding.UTF8.GetString(opened[i])));
        }

        (frames[1], frames[3]) = (frames[3], frames[1]);
        page = aads.Select((aad, i) => ((ReadOnlyMemory<byte>)frames[i], aad)).ToArray();
        var e = await Assert.ThrowsAsync<ApiException>(() => Cipher.OpenPageAsync(kms, page, default).AsTask());
        Assert.Equal(500, e.Status);
        Assert.StartsWith("decryption failed", e.Message);
        Assert.Equal(1, Cipher.AuthenticationFailures);
    }

    [Fact]
    public async Task FramesUnderAnOlderDekVersionStillOpenAfterRotationAndNewOnesUseTheNewVersion()
    {
        byte[] kms = await NewThreadAsync("t1");
        var aad1 = RecordAad.ForMessageVersion("t1", "m1", 1);
        byte[] old = await SealAsync(kms, aad1, "before");
        DekInfo rotated = await Provider.RotateDekAsync(KeyIds.ForThread("t1"));
        Assert.Equal(2u, rotated.DekVersion);
        byte[] kmsAfter = DekStore.Kms(KeyIds.ForThread("t1"));

        var aad2 = RecordAad.ForMessageVersion("t1", "m2", 1);
        byte[] fresh = await SealAsync(kmsAfter, aad2, "after");
        Assert.Equal(1u, DataFrame.ReadDekVersion(old));
        Assert.Equal(2u, DataFrame.ReadDekVersion(fresh));
        Assert.Equal("before", Encoding.UTF8.GetString(await Cipher.OpenAsync(kmsAfter, aad1, old, default)));
        Assert.Equal("after", Encoding.UTF8.GetString(await Cipher.OpenAsync(kmsAfter, aad2, fresh, default)));
        // A rotation does not loosen the binding: the old frame still refuses another address.
        await AssertRejectedAsync(kmsAfter, aad2, old);
    }
}
