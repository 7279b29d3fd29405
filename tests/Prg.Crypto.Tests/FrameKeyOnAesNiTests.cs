// FrameKey on the AES-NI engine: the shared FrameKey tests, plus no context pool and a zeroed schedule.

namespace Prg.Crypto.Tests;

public sealed unsafe class FrameKeyOnAesNiTests : FrameKeyTests
{
    protected override FrameEngine Engine => FrameEngine.AesNiPclmul;

    [Fact]
    public void NoContextPoolIsUsedAndDisposeZeroesTheSchedule()
    {
        var memory = new KeyMemory(static (_, _) => 0);
        var key = new FrameKey(TestSupport.SequentialKey(0x10), 4, memory, Engine);
        var schedule = new ReadOnlySpan<byte>((void*)key.ScheduleSlotForTesting, KeyMemory.ScheduleSlotLength);
        Assert.Equal(FrameEngine.AesNiPclmul, key.Engine);
        Assert.Equal(TestSupport.SequentialKey(0x10), schedule[..32].ToArray()); // round keys 0 and 1 are the key
        Assert.True(schedule[32..].ToArray().Count(b => b != 0) > 200); // the other round keys and the H powers
        key.Decrypt(FrameOf(key), "t", "r", new byte[1]);
        Assert.Equal(0, key.IdleCount);

        key.Dispose();

        Assert.All(schedule.ToArray(), b => Assert.Equal(0, b));
        Assert.All(new ReadOnlySpan<byte>((void*)key.KeySlotForTesting, 32).ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => key.Decrypt(new byte[DataFrame.Overhead], "t", "r", new byte[1]));
    }

    [Fact]
    public void FramesAboveTheAesNiSizeGoThroughEvpContextsAndCrossBothWays()
    {
        byte[] keyBytes = TestSupport.SequentialKey(0x30);
        using var aesNi = new FrameKey(keyBytes, 4, new KeyMemory(static (_, _) => 0), Engine);
        using var evp = new FrameKey(keyBytes, 4, new KeyMemory(static (_, _) => 0), FrameEngine.OpenSslEvp);
        foreach (int size in new[] { FrameKey.MaxAesNiFrameBytes, FrameKey.MaxAesNiFrameBytes + 1 })
        {
            byte[] plaintext = new byte[size];
            Random.Shared.NextBytes(plaintext);
            byte[] frame = new byte[DataFrame.GetEncryptedLength(size)];
            byte[] opened = new byte[size];
            aesNi.Encrypt(3, "t", "r", plaintext, frame);
            Assert.Equal(size, evp.Decrypt(frame, "t", "r", opened));
            Assert.Equal(plaintext, opened);
            evp.Encrypt(3, "t", "r", plaintext, frame);
            Assert.Equal(size, aesNi.Decrypt(frame, "t", "r", opened));
            Assert.Equal(plaintext, opened);

            // Up to the limit no EVP context exists; one frame above it parks one per direction.
            Assert.Equal(size > FrameKey.MaxAesNiFrameBytes ? 2 : 0, aesNi.IdleCount);
        }
    }

    protected override void AssertPoolAfterUse(FrameKey key) => Assert.Equal(0, key.IdleCount);
}
