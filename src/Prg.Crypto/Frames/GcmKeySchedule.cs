// What AesNiGcm reads for every frame, computed once per key: the 15 AES-256 round keys and the GHASH
// key powers H^1..H^9 (H = AES_K(0^128), byte-reversed). Both are derived from the key and as secret as
// it, so they live in a locked key-memory schedule slot and are zeroed with the key, never on the GC heap.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Prg.Crypto;

internal static unsafe class GcmKeySchedule
{
    /// <summary>AES-256 rounds; the schedule holds Rounds + 1 round keys.</summary>
    internal const int Rounds = 14;

    /// <summary>Where H^1..H^9 start (after the 15 round keys of 16 bytes).</summary>
    internal const int HashPowersOffset = 256;

    /// <summary>Highest key power kept (GHASH reduces once per up to this many blocks).</summary>
    internal const int HashPowers = 9; // a batch of eight blocks and the lengths block

    /// <summary>Expands <paramref name="key"/> (32 bytes) into <paramref name="schedule"/> (a KeyMemory schedule slot).</summary>
    [SkipLocalsInit]
    internal static void Expand(byte* key, byte* schedule)
    {
        if (!AesNiGcm.IsSupported)
        {
            throw new PlatformNotSupportedException("AES-NI and PCLMULQDQ are not available on this CPU");
        }

        Vector128<byte> even = Vector128.Load(key);
        Vector128<byte> odd = Vector128.Load(key + 16);
        even.Store(schedule);
        odd.Store(schedule + 16);
        ReadOnlySpan<byte> roundConstants = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40];
        for (int i = 0; ; i++)
        {
            // Words of the next even round key: RotWord(SubWord(last word)) ^ rcon, then a running XOR.
            even = Sse2.Shuffle(KeygenAssist(odd, roundConstants[i]).AsUInt32(), 0xff).AsByte() ^ RunningXor(even);
            even.Store(schedule + ((2 * i + 2) * 16));
            if (i == roundConstants.Length - 1)
            {
                break;
            }

            // Odd round keys use SubWord without rotation or constant.
            odd = Sse2.Shuffle(KeygenAssist(even, 0).AsUInt32(), 0xaa).AsByte() ^ RunningXor(odd);
            odd.Store(schedule + ((2 * i + 3) * 16));
        }

        var cipher = new AesNiGcm(schedule);
        Vector128<byte> h = GhashMath.Reverse(cipher.EncryptBlock(Vector128<byte>.Zero));
        Vector128<byte> power = h;
        for (int p = 0; p < HashPowers; p++)
        {
            power.Store(schedule + HashPowersOffset + (p * 16));
            power = GhashMath.Reduce(GhashMath.Multiply(power, h));
        }
    }

    private static Vector128<byte> KeygenAssist(Vector128<byte> block, byte roundConstant) => roundConstant switch
    {
        // The round constant must be an immediate.
        0x00 => X86Aes.KeygenAssist(block, 0x00),
        0x01 => X86Aes.KeygenAssist(block, 0x01),
        0x02 => X86Aes.KeygenAssist(block, 0x02),
        0x04 => X86Aes.KeygenAssist(block, 0x04),
        0x08 => X86Aes.KeygenAssist(block, 0x08),
        0x10 => X86Aes.KeygenAssist(block, 0x10),
        0x20 => X86Aes.KeygenAssist(block, 0x20),
        _ => X86Aes.KeygenAssist(block, 0x40),
    };

    // w0, w0^w1, w0^w1^w2, w0^w1^w2^w3 of the previous round key of the same parity.
    private static Vector128<byte> RunningXor(Vector128<byte> block)
    {
        block ^= Sse2.ShiftLeftLogical128BitLane(block, 4);
        return block ^ Sse2.ShiftLeftLogical128BitLane(block, 8);
    }
}
