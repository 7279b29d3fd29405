// FrameKey on the OpenSSL EVP engine: the shared FrameKey tests, plus the context pool's behaviour.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public sealed class FrameKeyOnEvpTests : FrameKeyTests
{
    protected override FrameEngine Engine => FrameEngine.OpenSslEvp;

    [Fact]
    public void OneOpeningContextTakesEachFramesNonceAndTagAfterSealsAndFailures()
    {
        // One context per direction: every open below reuses the same opening context, so a nonce or
        // tag left over from the previous frame (or from a failed open) would fail these frames.
        byte[] keyBytes = RandomNumberGenerator.GetBytes(32);
        using FrameKey key = NewKey(keyBytes, 1);
        using var reference = TestSupport.NewAes(keyBytes);
        for (int i = 0; i < 40; i++)
        {
            byte[] plaintext = RandomNumberGenerator.GetBytes(i * 13);
            byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];
            DataFrame.Encrypt(reference, 1, "t", $"r{i}", plaintext, frame);
            byte[] back = new byte[plaintext.Length];
            Assert.Equal(plaintext.Length, key.Decrypt(frame, "t", $"r{i}", back));
            Assert.Equal(plaintext, back);
            if (i % 3 == 0)
            {
                frame[^1] ^= 1;
                Assert.False(key.TryDecrypt(frame, "t", $"r{i}", back, out _));
                key.Encrypt(1, "t", $"s{i}", plaintext, frame);
                Assert.Equal(plaintext.Length, DataFrame.Decrypt(reference, frame, "t", $"s{i}", back));
            }
        }

        Assert.Equal(2, key.IdleCount);
    }

    [Fact]
    public void DisposeFreesTheContexts()
    {
        var memory = new KeyMemory(static (_, _) => 0);
        var key = new FrameKey(TestSupport.SequentialKey(0x10), 4, memory, Engine);
        Assert.Equal(0, key.ScheduleSlotForTesting);
        Assert.Equal(1, key.IdleCount);
        key.Decrypt(FrameOf(key), "t", "r", new byte[1]);
        Assert.Equal(2, key.IdleCount);

        key.Dispose();

        Assert.Equal(0, key.IdleCount);
    }

    protected override void AssertPoolAfterUse(FrameKey key) => Assert.InRange(key.IdleCount, 2, 4); // up to two idle contexts per direction
}
