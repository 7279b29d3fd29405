// FrameKey makes exactly the frames of the reference DataFrame-over-AesGcm path on each engine (the
// AES-NI one and OpenSSL EVP contexts): the independently computed known answers, frames crossing
// between the implementations both ways, and every tamper or truncation failing with no plaintext left.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public abstract unsafe class FrameKeyTests
{
    private static readonly RecordAad Aad = RecordAad.ForMessageVersion("thread-1", "msg-1", 1);

    protected abstract FrameEngine Engine { get; }

    protected FrameKey NewKey(byte[] key, int idleContexts) => new(key, idleContexts, KeyMemory.Shared, Engine);

    protected static byte[] FrameOf(FrameKey key)
    {
        byte[] frame = new byte[DataFrame.GetEncryptedLength(1)];
        key.Encrypt(1, "t", "r", [7], frame);
        return frame;
    }

    /// <summary>What the engine's context pool holds after concurrent use (none on AES-NI).</summary>
    protected abstract void AssertPoolAfterUse(FrameKey key);

    [Theory]
    [MemberData(nameof(DataFrameKnownAnswerTests.Vectors), MemberType = typeof(DataFrameKnownAnswerTests))]
    public void EncryptWithFixedNonceProducesTheIndependentlyComputedFrame(uint dekVersion, string threadId, string recordId, string plaintextHex, string frameHex)
    {
        using FrameKey key = NewKey(TestSupport.SequentialKey(), 2);
        byte[] plaintext = TestSupport.Hex(plaintextHex);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];

        int written = key.EncryptWithNonceForTesting(dekVersion, threadId, recordId, TestSupport.SequentialKey(0xa0).AsSpan(0, 12), plaintext, frame);

        Assert.Equal(frame.Length, written);
        Assert.Equal(frameHex, Convert.ToHexStringLower(frame));
    }

    [Theory]
    [MemberData(nameof(DataFrameKnownAnswerTests.Vectors), MemberType = typeof(DataFrameKnownAnswerTests))]
    public void DecryptOfTheIndependentlyComputedFrameGivesThePlaintext(uint dekVersion, string threadId, string recordId, string plaintextHex, string frameHex)
    {
        using FrameKey key = NewKey(TestSupport.SequentialKey(), 2);
        byte[] frame = TestSupport.Hex(frameHex);
        byte[] plaintext = new byte[DataFrame.GetPlaintextLength(frame)];

        int written = key.Decrypt(frame, threadId, recordId, plaintext);

        Assert.Equal(plaintextHex, Convert.ToHexStringLower(plaintext.AsSpan(0, written)));
        Assert.Equal(dekVersion, DataFrame.ReadDekVersion(frame));
    }

    [Theory]
    [MemberData(nameof(DataFrameKnownAnswerTests.Vectors), MemberType = typeof(DataFrameKnownAnswerTests))]
    public void DecryptWithAPreEncodedAadGivesThePlaintextOnlyForTheFramesOwnAad(uint dekVersion, string threadId, string recordId, string plaintextHex, string frameHex)
    {
        using FrameKey key = NewKey(TestSupport.SequentialKey(), 2);
        byte[] frame = TestSupport.Hex(frameHex);
        byte[] plaintext = new byte[DataFrame.GetPlaintextLength(frame)];
        byte[] aad = new byte[AadWriter.StackLimit];
        int aadLength = DataFrame.WriteAadPrefix(dekVersion, threadId, aad);
        aadLength += new RecordAad(threadId, recordId).WriteRecordId(aad.AsSpan(aadLength));

        Assert.True(key.TryDecryptWithAad(frame, aad.AsSpan(0, aadLength), plaintext, out int written));
        Assert.Equal(plaintextHex, Convert.ToHexStringLower(plaintext.AsSpan(0, written)));

        aad[aadLength - 1] ^= 1;
        Assert.False(key.TryDecryptWithAad(frame, aad.AsSpan(0, aadLength), plaintext, out written));
        Assert.Equal(0, written);
        Assert.All(plaintext, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(256)]
    [InlineData(1024)]
    [InlineData(4097)]
    [InlineData(70_000)]
    public void FramesCrossBetweenAesGcmAndFrameKeyBothWays(int size)
    {
        byte[] keyBytes = RandomNumberGenerator.GetBytes(32);
        using var aes = TestSupport.NewAes(keyBytes);
        using FrameKey key = NewKey(keyBytes, 2);
        byte[] plaintext = RandomNumberGenerator.GetBytes(size);
        byte[] output = new byte[size];

        byte[] fromEvp = new byte[DataFrame.GetEncryptedLength(size)];
        key.Encrypt(7, Aad.ThreadId, Aad.RecordId, plaintext, fromEvp);
        Assert.Equal(size, DataFrame.Decrypt(aes, fromEvp, Aad, output));
        Assert.Equal(plaintext, output);

        byte[] fromAesGcm = new byte[DataFrame.GetEncryptedLength(size)];
        DataFrame.Encrypt(aes, 7, Aad, plaintext, fromAesGcm);
        Array.Clear(output);
        Assert.Equal(size, key.Decrypt(fromAesGcm, Aad.ThreadId, Aad.RecordId, output));
        Assert.Equal(plaintext, output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public void FlippingAnyBitOfTheFrameFailsAndLeavesNoPlaintext(int size)
    {
        using FrameKey key = NewKey(RandomNumberGenerator.GetBytes(32), 1);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(size)];
        key.Encrypt(1, Aad.ThreadId, Aad.RecordId, RandomNumberGenerator.GetBytes(size), frame);

        for (int position = 0; position < frame.Length; position++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] tampered = (byte[])frame.Clone();
                tampered[position] ^= (byte)(1 << bit);
                byte[] output = Enumerable.Repeat((byte)0xAA, size).ToArray();

                Assert.False(key.TryDecrypt(tampered, Aad.ThreadId, Aad.RecordId, output, out int written), $"position {position} bit {bit}");
                Assert.Equal(0, written);
                Assert.True(position == 0 || output.All(b => b == 0), $"position {position} bit {bit} left plaintext behind");
                Assert.Throws(position == 0 ? typeof(MalformedFrameException) : typeof(FrameAuthenticationException),
                    () => key.Decrypt(tampered, Aad.ThreadId, Aad.RecordId, output));
            }
        }

        // The contexts that saw failures still open the genuine frame.
        Assert.True(key.TryDecrypt(frame, Aad.ThreadId, Aad.RecordId, new byte[size], out _));
    }

    [Fact]
    public void TruncatedExtendedOrMovedFramesFailCleanly()
    {
        using FrameKey key = NewKey(RandomNumberGenerator.GetBytes(32), 1);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(40)];
        key.Encrypt(2, Aad.ThreadId, Aad.RecordId, RandomNumberGenerator.GetBytes(40), frame);

        for (int length = 0; length < frame.Length; length++)
        {
            byte[] output = new byte[frame.Length];
            Assert.False(key.TryDecrypt(frame.AsSpan(0, length), Aad.ThreadId, Aad.RecordId, output, out _), $"length {length}");
            Assert.True(output.All(b => b == 0), $"length {length} wrote plaintext");
            CryptoException error = Assert.ThrowsAny<CryptoException>(() => key.Decrypt(frame.AsSpan(0, length), Aad.ThreadId, Aad.RecordId, output));
            Assert.IsType(length < DataFrame.Overhead ? typeof(MalformedFrameException) : typeof(FrameAuthenticationException), error);
        }

        Assert.False(key.TryDecrypt([.. frame, 0], Aad.ThreadId, Aad.RecordId, new byte[41], out _));
        Assert.False(key.TryDecrypt(frame, "thread-1", "msg-2:v1", new byte[40], out _));
        Assert.False(key.TryDecrypt(frame, "thread-2", Aad.RecordId, new byte[40], out _));
        using FrameKey other = NewKey(RandomNumberGenerator.GetBytes(32), 1);
        Assert.False(other.TryDecrypt(frame, Aad.ThreadId, Aad.RecordId, new byte[40], out _));
        Assert.True(key.TryDecrypt(frame, Aad.ThreadId, Aad.RecordId, new byte[40], out _));
    }

    [Fact]
    public void ConcurrentUseKeepsEveryFrameCorrect()
    {
        byte[] keyBytes = RandomNumberGenerator.GetBytes(32);
        using FrameKey key = NewKey(keyBytes, 2);
        using var reference = TestSupport.NewAes(keyBytes);
        int failures = 0;
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            byte[] plaintext = BitConverter.GetBytes(i);
            byte[] frame = new byte[DataFrame.GetEncryptedLength(plaintext.Length)];
            key.Encrypt(1, "t", $"r{i}", plaintext, frame);
            byte[] back = new byte[plaintext.Length];
            if (!key.TryDecrypt(frame, "t", $"r{i}", back, out _) || !back.AsSpan().SequenceEqual(plaintext))
            {
                Interlocked.Increment(ref failures);
            }

            lock (reference)
            {
                if (!DataFrame.TryDecrypt(reference, frame, "t", $"r{i}", back, out _))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
        AssertPoolAfterUse(key);
    }

    [Fact]
    public void DisposeZeroesTheKey()
    {
        var memory = new KeyMemory(static (_, _) => 0);
        var key = new FrameKey(TestSupport.SequentialKey(0x10), 4, memory, Engine);
        var slot = new ReadOnlySpan<byte>((void*)key.KeySlotForTesting, 32);
        Assert.Equal(Engine, key.Engine);
        Assert.Equal(TestSupport.SequentialKey(0x10), slot.ToArray());
        key.Decrypt(FrameOf(key), "t", "r", new byte[1]);

        key.Dispose();

        Assert.True(key.IsDisposed);
        Assert.All(slot.ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => key.Encrypt(1, "t", "r", [1], new byte[DataFrame.GetEncryptedLength(1)]));
    }

    [Fact]
    public void RejectsBadKeysAndArguments()
    {
        Assert.Throws<ArgumentException>(() => NewKey(new byte[16], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewKey(new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewKey(new byte[32], FrameKey.MaxIdleContexts + 1));
        using FrameKey key = NewKey(new byte[32], 1);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(8)];
        Assert.Throws<ArgumentException>(() => key.Encrypt(1, "t", "r", new byte[8], new byte[frame.Length - 1]));
        Assert.Throws<ArgumentException>(() => key.Encrypt(1, "", "r", new byte[8], frame));
        Assert.Throws<ArgumentException>(() => key.Encrypt(1, "t", "r", frame.AsSpan(0, 8), frame));
        key.Encrypt(1, "t", "r", new byte[8], frame);
        Assert.Throws<ArgumentException>(() => key.TryDecrypt(frame, "t", "r", new byte[7], out _));
    }

    [Fact]
    public void EncryptAndDecryptOfOneKilobyteAllocateNothing()
    {
        using FrameKey key = NewKey(TestSupport.SequentialKey(), 2);
        byte[] plaintext = new byte[1024];
        byte[] frame = new byte[DataFrame.GetEncryptedLength(1024)];
        byte[] output = new byte[1024];
        var aad = RecordAad.ForMessageVersion("thread-0123456789", "1700000000000000000-000001", 1);
        string recordId = aad.RecordId; // a message version's id is a string only when asked for
        key.Encrypt(1, aad.ThreadId, recordId, plaintext, frame);
        key.Decrypt(frame, aad.ThreadId, recordId, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            key.Encrypt(1, aad.ThreadId, recordId, plaintext, frame);
            key.Decrypt(frame, aad.ThreadId, recordId, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
