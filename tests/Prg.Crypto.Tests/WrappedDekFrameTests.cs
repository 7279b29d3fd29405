// Wrapped DEK frames: round trip, and every tamper (flipped bytes, truncation, another key id,
// another KEK, relabelled KEK version) refused without yielding a DEK.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public sealed class WrappedDekFrameTests
{
    [Fact]
    public void WrapThenUnwrapReturnsTheDek()
    {
        using MasterKey kek = MasterKey.Generate();
        byte[] dek = RandomNumberGenerator.GetBytes(32);
        byte[] frame = new byte[WrappedDekFrame.Length];
        WrappedDekFrame.Wrap(kek, 4, "dek_t1", dek, frame);

        byte[] unwrapped = new byte[32];
        Assert.True(WrappedDekFrame.TryUnwrap(kek, "dek_t1", frame, unwrapped));
        Assert.Equal(dek, unwrapped);
        Assert.Equal(4u, WrappedDekFrame.ReadKekVersion(frame));
        Assert.Equal(-1, frame.AsSpan().IndexOf(dek.AsSpan(0, 8)));
    }

    [Fact]
    public void EveryTamperIsRefusedAndYieldsNoDek()
    {
        using MasterKey kek = MasterKey.Generate();
        using MasterKey otherKek = MasterKey.Generate();
        byte[] frame = new byte[WrappedDekFrame.Length];
        WrappedDekFrame.Wrap(kek, 1, "dek_t1", RandomNumberGenerator.GetBytes(32), frame);

        for (int position = 0; position < frame.Length; position++)
        {
            byte[] tampered = (byte[])frame.Clone();
            tampered[position] ^= 0x01;
            AssertRefused(kek, "dek_t1", tampered);
        }

        for (int length = 0; length < frame.Length; length++)
        {
            AssertRefused(kek, "dek_t1", frame[..length]);
        }

        AssertRefused(kek, "dek_t1", [.. frame, 0]);
        AssertRefused(kek, "dek_t2", frame);
        AssertRefused(otherKek, "dek_t1", frame);
        Assert.ThrowsAny<CryptoException>(() => WrappedDekFrame.Unwrap(otherKek, "dek_t1", frame, new byte[32]));
        Assert.Throws<MalformedFrameException>(() => WrappedDekFrame.Unwrap(kek, "dek_t1", frame[..10], new byte[32]));
    }

    private static void AssertRefused(MasterKey kek, string keyId, byte[] frame)
    {
        byte[] dek = Enumerable.Repeat((byte)0xAA, 32).ToArray();
        Assert.False(WrappedDekFrame.TryUnwrap(kek, keyId, frame, dek));
        Assert.True(dek.All(b => b == 0));
    }
}
