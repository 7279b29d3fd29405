// The store's key hash is FASTER's own value for every key (checkpointed indexes written with FASTER's
// hash stay valid), and key equality tells apart keys that differ in one byte.
using FASTER.core;
using Prg.Storage.Engine;

namespace Prg.Storage.Tests;

public sealed class KeyHashTests
{
    [Fact]
    public unsafe void The_hash_equals_FASTERs_for_every_length_and_byte_pattern()
    {
        var random = new Random(12);
        for (int length = 0; length <= 300; length++)
        {
            foreach (byte[] key in new[] { RandomBytes(random, length), Filled(length, 0xFF), Filled(length, 0x00) })
            {
                fixed (byte* k = key)
                {
                    Assert.Equal(Utility.HashBytes(k, key.Length), KeyHash.Of(key));
                }
            }
        }
    }

    [Fact]
    public unsafe void Keys_differing_in_one_byte_are_not_equal_and_equal_keys_are()
    {
        byte[] a = "thread:t1:msg:1762480000000000000-000000000042"u8.ToArray();
        var comparer = new KeyHash();
        for (int i = 0; i < a.Length; i++)
        {
            byte[] b = (byte[])a.Clone();
            b[i] ^= 1;
            fixed (byte* pa = a, pb = b)
            {
                SpanByte ka = SpanByte.FromPointer(pa, a.Length), kb = SpanByte.FromPointer(pb, b.Length);
                Assert.False(comparer.Equals(ref ka, ref kb));
                Assert.True(comparer.Equals(ref ka, ref ka));
                Assert.Equal(KeyHash.Of(a), comparer.GetHashCode64(ref ka));
            }
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
