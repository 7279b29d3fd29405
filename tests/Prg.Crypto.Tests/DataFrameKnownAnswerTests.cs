// Known-answer tests for the data frame. The expected bytes were computed independently with
// Python's `cryptography` AESGCM on the AAD layout documented in DataFrame (see each vector).
using System.Buffers.Binary;
using System.Text;

namespace Prg.Crypto.Tests;

public sealed class DataFrameKnownAnswerTests
{
    // key = 00..1f, nonce = a0..ab.
    public static TheoryData<uint, string, string, string, string> Vectors => new()
    {
        // aad = 01 00000007 0004 "t-42" 0005 "m1:v2"
        { 7u, "t-42", "m1:v2", "68656c6c6f2c20707267", "0100000007a0a1a2a3a4a5a6a7a8a9aaab8e7d10412ae722cf100298cdef6e1deb354d592387152fe29472" },

        // Empty plaintext, non-ASCII thread id (UTF-8 length-prefixed: "thréad-😀" is 13 bytes).
        { 1u, "thr\u00e9ad-\U0001F600", "title", "", "0100000001a0a1a2a3a4a5a6a7a8a9aaabc33e802a6955881b3ccd7e15e95fa259" },

        // All four dek_version bytes significant (big-endian).
        {
            0xdeadbeefu, "t", "m:v0", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
            "01deadbeefa0a1a2a3a4a5a6a7a8a9aaabe6197e2e41ce04b86a6c8dd80b77ced160bd4b0386a2547b84173c9d63b66b1ef25765dc8b07751a4e37652c85496a1f6c4b8eb4d7809533"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EncryptWithFixedNonceProducesTheIndependentlyComputedFrame(uint dekVersion, string threadId, string recordId, string plaintextHex, string frameHex)
    {
        using var aes = TestSupport.NewAes(TestSupport.SequentialKey());
        byte[] plaintext = TestSupport.Hex(plaintextHex);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];

        int written = DataFrame.EncryptWithNonceForTesting(aes, dekVersion, threadId, recordId, TestSupport.SequentialKey(0xa0).AsSpan(0, 12), plaintext, frame);

        Assert.Equal(frame.Length, written);
        Assert.Equal(frameHex, Convert.ToHexStringLower(frame));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void DecryptOfTheIndependentlyComputedFrameGivesThePlaintext(uint dekVersion, string threadId, string recordId, string plaintextHex, string frameHex)
    {
        using var aes = TestSupport.NewAes(TestSupport.SequentialKey());
        byte[] frame = TestSupport.Hex(frameHex);
        byte[] plaintext = new byte[DataFrame.GetPlaintextLength(frame)];

        int written = DataFrame.Decrypt(aes, frame, new RecordAad(threadId, recordId), plaintext);

        Assert.Equal(plaintextHex, Convert.ToHexStringLower(plaintext.AsSpan(0, written)));
        Assert.Equal(dekVersion, DataFrame.ReadDekVersion(frame));
    }

    [Theory]
    [InlineData("0100000007a0a1a2a3a4a5a6a7a8a9aaab8e7d10412ae722cf100298cdef6e1deb354d592387152fe29472", "t-42", "m1", 2L, "hello, prg")]
    [InlineData("01deadbeefa0a1a2a3a4a5a6a7a8a9aaabe6197e2e41ce04b86a6c8dd80b77ced160bd4b0386a2547b84173c9d63b66b1ef25765dc8b07751a4e37652c85496a1f6c4b8eb4d7809533", "t", "m", 0L, null)]
    public void MessageVersionAadFormattedWithoutAStringOpensTheIndependentlyComputedFrame(string frameHex, string threadId, string messageKey, long version, string? plaintext)
    {
        using var aes = TestSupport.NewAes(TestSupport.SequentialKey());
        byte[] frame = TestSupport.Hex(frameHex);
        byte[] output = new byte[DataFrame.GetPlaintextLength(frame)];
        var aad = RecordAad.ForMessageVersion(threadId, messageKey, version);

        int written = DataFrame.Decrypt(aes, frame, aad, output);

        Assert.Equal(written, output.Length);
        if (plaintext is not null)
        {
            Assert.Equal(plaintext, Encoding.UTF8.GetString(output));
        }
        Assert.Equal($"{messageKey}:v{version}", aad.RecordId);
        Assert.Equal(new RecordAad(threadId, $"{messageKey}:v{version}"), aad);
        Assert.Equal(new RecordAad(threadId, $"{messageKey}:v{version}").GetHashCode(), aad.GetHashCode());
        Assert.NotEqual(RecordAad.ForMessageVersion(threadId, messageKey, version + 1), aad);
        Assert.Throws<FrameAuthenticationException>(() => DataFrame.Decrypt(aes, frame, RecordAad.ForMessageVersion(threadId, messageKey, version + 1), output));
    }

    [Theory]
    [InlineData("t-42", "m1", 2L)]
    [InlineData("t", "m", 0L)]
    [InlineData("thr\u00e9ad-\U0001F600", "1733100000000000000-42", long.MaxValue)]
    [InlineData("t", "k\u00e9y-\U0001F600", 7L)]
    public void AadEncodedFromAMessageVersionsPartsIsTheDocumentedBytes(string threadId, string messageKey, long version)
    {
        var aad = RecordAad.ForMessageVersion(threadId, messageKey, version);
        byte[] expected = new byte[AadWriter.StackLimit];
        int expectedLength = DataFrame.WriteAad(9, threadId, $"{messageKey}:v{version}", expected);
        byte[] actual = new byte[AadWriter.StackLimit];

        int length = DataFrame.WriteAadPrefix(9, threadId, actual);
        Assert.True(aad.MaxEncodedRecordIdLength <= actual.Length - length);
        length += aad.WriteRecordId(actual.AsSpan(length));

        Assert.Equal(Convert.ToHexStringLower(expected.AsSpan(0, expectedLength)), Convert.ToHexStringLower(actual.AsSpan(0, length)));
        if (threadId == "t-42")
        {
            // 01 | 00000009 | 0004 "t-42" | 0005 "m1:v2"
            Assert.Equal("01000000090004742d343200056d313a7632", Convert.ToHexStringLower(actual.AsSpan(0, length)));
        }
    }

    [Fact]
    public void RecordIdWithALoneSurrogateIsRefusedWhenEncodedFromItsParts()
    {
        byte[] buffer = new byte[AadWriter.StackLimit];

        Assert.Throws<ArgumentException>(() => RecordAad.ForMessageVersion("t", "m\ud800", 1).WriteRecordId(buffer));
        Assert.Throws<ArgumentException>(() => new RecordAad("t", "r\ud800").WriteRecordId(buffer));
    }

    [Fact]
    public void MessageVersionAadLongerThanTheStackScratchStillBindsTheSameBytes()
    {
        using var aes = TestSupport.NewAes(TestSupport.SequentialKey());
        string longKey = new('k', 300);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(3)];
        DataFrame.Encrypt(aes, 1, new RecordAad("t", longKey + ":v12"), "abc"u8, frame);
        byte[] output = new byte[3];

        DataFrame.Decrypt(aes, frame, RecordAad.ForMessageVersion("t", longKey, 12), output);

        Assert.Equal("abc"u8.ToArray(), output);
    }

    [Fact]
    public void RandomNonceFrameAuthenticatesUnderTheDocumentedAadBuiltByHand()
    {
        byte[] key = TestSupport.SequentialKey(0x33);
        using var aes = TestSupport.NewAes(key);
        byte[] plaintext = Encoding.UTF8.GetBytes("a message body");
        byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];
        DataFrame.Encrypt(aes, 5, new RecordAad("thread-1", "msg-9:v3"), plaintext, frame);

        // format | dek_version(BE) | u16 len | thread | u16 len | record, assembled independently.
        var aad = new List<byte> { 0x01, 0, 0, 0, 5, 0, 8 };
        aad.AddRange("thread-1"u8.ToArray());
        aad.AddRange(new byte[] { 0, 8 });
        aad.AddRange("msg-9:v3"u8.ToArray());

        Assert.Equal(0x01, frame[0]);
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1)));
        byte[] decrypted = new byte[plaintext.Length];
        using var independent = TestSupport.NewAes(key);
        independent.Decrypt(frame.AsSpan(5, 12), frame.AsSpan(17, plaintext.Length), frame.AsSpan(17 + plaintext.Length, 16), decrypted, aad.ToArray());
        Assert.Equal(plaintext, decrypted);
    }

    [Fact]
    public void EncryptUsesAFreshNonceEveryTimeAcrossNonceBufferRefills()
    {
        using var aes = TestSupport.NewAes(TestSupport.SequentialKey());
        var nonces = new HashSet<string>();
        byte[] frame = new byte[DataFrame.GetEncryptedLength(4)];
        for (int i = 0; i < 2000; i++)
        {
            DataFrame.Encrypt(aes, 1, new RecordAad("t", "r"), "same"u8, frame);
            Assert.True(nonces.Add(Convert.ToHexString(frame.AsSpan(5, 12))));
        }
    }

    [Fact]
    public void WrappedDekWithFixedNonceProducesTheIndependentlyComputedFrame()
    {
        // kek = 40..5f, nonce = b0..bb, dek = 60..7f, aad = "prg-dek" 0008 "dek_t-42" 00000003.
        using MasterKey kek = MasterKey.FromBytes(TestSupport.SequentialKey(0x40));
        byte[] frame = new byte[WrappedDekFrame.Length];

        WrappedDekFrame.WrapWithNonceForTesting(kek, 3, "dek_t-42", TestSupport.SequentialKey(0xb0).AsSpan(0, 12), TestSupport.SequentialKey(0x60), frame);

        Assert.Equal(
            "0200000003b0b1b2b3b4b5b6b7b8b9babb6361e2e6a52f8dfe53874d93819b22a4ce79f65b3060a0e88bbf1a40f5cd8cefea03ef0e4ddaebcd23bda228fb018c88",
            Convert.ToHexStringLower(frame));
        byte[] dek = new byte[32];
        WrappedDekFrame.Unwrap(kek, "dek_t-42", frame, dek);
        Assert.Equal(TestSupport.SequentialKey(0x60), dek);
        Assert.Equal(3u, WrappedDekFrame.ReadKekVersion(frame));
    }

    [Fact]
    public void KekIdIsTheTruncatedHmacOfTheDocumentedLabel()
    {
        // HMAC-SHA256(key, "prg-kek-id")[:8] as hex, computed with Python's hmac module.
        using MasterKey first = MasterKey.FromBytes(TestSupport.SequentialKey());
        using MasterKey second = MasterKey.FromBytes(TestSupport.SequentialKey(0x40));

        Assert.Equal("a8ef3a1927eb3122", first.KekId);
        Assert.Equal("b4edc09c2953db6c", second.KekId);
    }
}
