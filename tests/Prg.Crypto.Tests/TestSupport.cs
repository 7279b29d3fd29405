// Shared helpers for the Crypto tests: fixed test keys, temp directories and hex conversion.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

internal static class TestSupport
{
    /// <summary>Key bytes 0x00..0x1f, the key of the known-answer vectors.</summary>
    internal static byte[] SequentialKey(byte start = 0)
    {
        byte[] key = new byte[32];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(start + i);
        }

        return key;
    }

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex);

    internal static AesGcm NewAes(byte[] key) => new(key, 16);
}
