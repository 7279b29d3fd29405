// Round trips of the data frame through the span API at many sizes, and its argument checks.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public sealed class DataFrameRoundTripTests
{
    public static TheoryData<int> Sizes => [0, 1, 15, 16, 17, 31, 64, 200, 1000, 1024, 4095, 16384, 65537, 1 << 20];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void EncryptThenDecryptReturnsTheOriginalPlaintext(int size)
    {
        using var aes = TestSupport.NewAes(RandomNumberGenerator.GetBytes(32));
        byte[] plaintext = RandomNumberGenerator.GetBytes(size);
        var aad = RecordAad.ForMessageVersion("thread-a", "1700000000000000000-000001", 2);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(size)];

        int written = DataFrame.Encrypt(aes, 3, aad, plaintext, frame);
        byte[] output = new byte[DataFrame.GetPlaintextLength(frame)];
        bool ok = DataFrame.TryDecrypt(aes, frame, aad.ThreadId, aad.RecordId, output, out int plainWritten);

        Assert.Equal(size + DataFrame.Overhead, written);
        Assert.True(ok);
        Assert.Equal(size, plainWritten);
        Assert.Equal(plaintext, output);
        Assert.Equal(3u, DataFrame.ReadDekVersion(frame));
        if (size >= 16)
        {
            // The plaintext must not appear in the frame.
            Assert.Equal(-1, frame.AsSpan().IndexOf(plaintext.AsSpan(0, 16)));
        }
    }

    [Fact]
    public void LongIdentifiersUseThePooledAadPathAndStillRoundTrip()
    {
        using var aes = TestSupport.NewAes(RandomNumberGenerator.GetBytes(32));
        string threadId = new('t', 3000);
        string recordId = new string('\u00e9', 500) + ":v1";
        byte[] frame = new byte[DataFrame.GetEncryptedLength(10)];
        DataFrame.Encrypt(aes, 1, threadId, recordId, "0123456789"u8, frame);

        byte[] output = new byte[10];
        Assert.True(DataFrame.TryDecrypt(aes, frame, threadId, recordId, output, out _));
        Assert.False(DataFrame.TryDecrypt(aes, frame, threadId.AsSpan()[..^1], recordId, output, out _));
    }

    [Fact]
    public void IdentifiersThatConcatenateAlikeAreStillDistinct()
    {
        using var aes = TestSupport.NewAes(RandomNumberGenerator.GetBytes(32));
        byte[] frame = new byte[DataFrame.GetEncryptedLength(3)];
        DataFrame.Encrypt(aes, 1, "ab", "c", "abc"u8, frame);

        Assert.False(DataFrame.TryDecrypt(aes, frame, "a", "bc", new byte[3], out _));
    }

    [Fact]
    public void ArgumentMistakesAreRejectedClearly()
    {
        using var aes = TestSupport.NewAes(RandomNumberGenerator.GetBytes(32));
        byte[] plaintext = new byte[8];
        byte[] frame = new byte[DataFrame.GetEncryptedLength(8)];

        Assert.Throws<ArgumentException>(() => DataFrame.Encrypt(aes, 1, "t", "r", plaintext, new byte[frame.Length - 1]));
        Assert.Throws<ArgumentException>(() => DataFrame.Encrypt(aes, 1, "", "r", plaintext, frame));
        Assert.Throws<ArgumentException>(() => DataFrame.Encrypt(aes, 1, "t", "", plaintext, frame));
        Assert.Throws<ArgumentException>(() => DataFrame.Encrypt(aes, 1, "t\ud800", "r", plaintext, frame));
        Assert.Throws<ArgumentException>(() => DataFrame.Encrypt(aes, 1, new string('x', 70000), "r", plaintext, frame));
        Assert.Throws<ArgumentException>(() => DataFrame.Encrypt(aes, 1, "t", "r", frame.AsSpan(0, 8), frame));
        Assert.Throws<ArgumentException>(() => new RecordAad("t", ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataFrame.GetEncryptedLength(-1));

        DataFrame.Encrypt(aes, 1, "t", "r", plaintext, frame);
        Assert.Throws<ArgumentException>(() => DataFrame.TryDecrypt(aes, frame, "t", "r", new byte[7], out _));
    }
}
