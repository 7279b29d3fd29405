// Tampering with data frames: every flipped byte, every truncation, appended bytes, and frames
// moved between records, threads and DEK versions must fail cleanly and reveal no plaintext.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public sealed class DataFrameTamperTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly RecordAad Aad = RecordAad.ForMessageVersion("thread-1", "msg-1", 1);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    public void FlippingAnyByteOfTheFrameFailsAuthentication(int size)
    {
        using var aes = TestSupport.NewAes(Key);
        byte[] frame = Encrypt(aes, 1, Aad, RandomNumberGenerator.GetBytes(size));

        for (int position = 0; position < frame.Length; position++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] tampered = (byte[])frame.Clone();
                tampered[position] ^= mask;
                byte[] output = Enumerable.Repeat((byte)0xAA, size).ToArray();

                Assert.False(DataFrame.TryDecrypt(aes, tampered, Aad.ThreadId, Aad.RecordId, output, out int written), $"position {position} mask {mask:x2}");
                Assert.Equal(0, written);
                Assert.Throws(position == 0 ? typeof(MalformedFrameException) : typeof(FrameAuthenticationException), () => DataFrame.Decrypt(aes, tampered, Aad, output));
            }
        }
    }

    [Fact]
    public void TruncatingTheFrameAtEveryLengthFailsCleanly()
    {
        using var aes = TestSupport.NewAes(Key);
        byte[] frame = Encrypt(aes, 1, Aad, RandomNumberGenerator.GetBytes(40));

        for (int length = 0; length < frame.Length; length++)
        {
            byte[] truncated = frame[..length];
            byte[] output = new byte[frame.Length];

            Assert.False(DataFrame.TryDecrypt(aes, truncated, Aad.ThreadId, Aad.RecordId, output, out _), $"length {length}");
            Assert.True(output.All(b => b == 0), $"length {length} wrote plaintext");
            CryptoException error = Assert.ThrowsAny<CryptoException>(() => DataFrame.Decrypt(aes, truncated, Aad, output));
            Assert.IsType(length < DataFrame.Overhead ? typeof(MalformedFrameException) : typeof(FrameAuthenticationException), error);
        }
    }

    [Fact]
    public void AppendingBytesFailsAuthentication()
    {
        using var aes = TestSupport.NewAes(Key);
        byte[] frame = Encrypt(aes, 1, Aad, RandomNumberGenerator.GetBytes(40));

        Assert.False(DataFrame.TryDecrypt(aes, [.. frame, 0], Aad.ThreadId, Aad.RecordId, new byte[41], out _));
    }

    [Fact]
    public void GarbageOfEveryShapeFailsCleanly()
    {
        using var aes = TestSupport.NewAes(Key);
        for (int length = 0; length < 200; length += 7)
        {
            byte[] garbage = RandomNumberGenerator.GetBytes(length);
            Assert.False(DataFrame.TryDecrypt(aes, garbage, "t", "r", new byte[200], out _));
            garbage = [DataFrame.FormatV1, .. garbage];
            Assert.False(DataFrame.TryDecrypt(aes, garbage, "t", "r", new byte[200], out _));
        }
    }

    [Fact]
    public void FrameCopiedToAnotherRecordThreadVersionOrTitleFails()
    {
        using var aes = TestSupport.NewAes(Key);
        byte[] frame = Encrypt(aes, 1, Aad, "secret body"u8.ToArray());
        byte[] output = new byte[11];

        Assert.True(DataFrame.TryDecrypt(aes, frame, Aad.ThreadId, Aad.RecordId, output, out _));
        Assert.False(DataFrame.TryDecrypt(aes, frame, "thread-1", "msg-2:v1", output, out _));
        Assert.False(DataFrame.TryDecrypt(aes, frame, "thread-1", "msg-1:v2", output, out _));
        Assert.False(DataFrame.TryDecrypt(aes, frame, "thread-2", "msg-1:v1", output, out _));
        Assert.False(DataFrame.TryDecrypt(aes, frame, "thread-1", RecordAad.TitleRecordId, output, out _));
    }

    [Fact]
    public void RelabellingTheDekVersionFailsEvenUnderTheSameKey()
    {
        using var aes = TestSupport.NewAes(Key);
        byte[] frame = Encrypt(aes, 1, Aad, "secret body"u8.ToArray());
        frame[4] = 2;

        Assert.Equal(2u, DataFrame.ReadDekVersion(frame));
        Assert.False(DataFrame.TryDecrypt(aes, frame, Aad.ThreadId, Aad.RecordId, new byte[11], out _));
    }

    [Fact]
    public void FrameUnderAnotherDekFailsAuthentication()
    {
        using var aes = TestSupport.NewAes(Key);
        using var other = TestSupport.NewAes(RandomNumberGenerator.GetBytes(32));
        byte[] frame = Encrypt(other, 1, Aad, "secret body"u8.ToArray());

        Assert.Throws<FrameAuthenticationException>(() => DataFrame.Decrypt(aes, frame, Aad, new byte[11]));
    }

    private static byte[] Encrypt(AesGcm aes, uint version, RecordAad aad, byte[] plaintext)
    {
        byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];
        DataFrame.Encrypt(aes, version, aad, plaintext, frame);
        return frame;
    }
}
