// GHASH arithmetic in GF(2^128) with carry-less multiply (Intel's "Carry-Less Multiplication and Its
// Usage for Computing the GCM Mode", the byte-reflected method): blocks are byte-reversed on entry,
// multiplied into 256 bits (Karatsuba-free schoolbook, four PCLMULQDQ), shifted left by one and reduced
// modulo x^128 + x^7 + x^2 + x + 1. Multiply and Reduce are split so several products can be summed
// and reduced once (both steps are linear). Constant time: no tables, no data-dependent branches.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prg.Crypto;

internal static class GhashMath
{
    /// <summary>An unreduced 256-bit product (low and high halves).</summary>
    internal readonly struct Wide(Vector128<uint> low, Vector128<uint> high)
    {
        public Vector128<uint> Low { get; } = low;

        public Vector128<uint> High { get; } = high;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Wide operator ^(Wide a, Wide b) => new(a.Low ^ b.Low, a.High ^ b.High);
    }

    /// <summary>Reverses the 16 bytes of a block (GHASH's bit order against the CPU's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Reverse(Vector128<byte> block) =>
        Ssse3.Shuffle(block, Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Wide Multiply(Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<ulong> x = a.AsUInt64();
        Vector128<ulong> y = b.AsUInt64();
        Vector128<ulong> low = Pclmulqdq.CarrylessMultiply(x, y, 0x00);
        Vector128<ulong> middle = Pclmulqdq.CarrylessMultiply(x, y, 0x10) ^ Pclmulqdq.CarrylessMultiply(x, y, 0x01);
        Vector128<ulong> high = Pclmulqdq.CarrylessMultiply(x, y, 0x11);
        low ^= Sse2.ShiftLeftLogical128BitLane(middle, 8);
        high ^= Sse2.ShiftRightLogical128BitLane(middle, 8);
        return new Wide(low.AsUInt32(), high.AsUInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Reduce(Wide product)
    {
        Vector128<uint> low = product.Low;
        Vector128<uint> high = product.High;

        // Shift the 256-bit product left by one bit (the reflected representation needs it).
        Vector128<uint> lowCarry = Sse2.ShiftRightLogical(low, 31);
        Vector128<uint> highCarry = Sse2.ShiftRightLogical(high, 31);
        low = Sse2.ShiftLeftLogical(low, 1);
        high = Sse2.ShiftLeftLogical(high, 1);
        Vector128<uint> crossing = Sse2.ShiftRightLogical128BitLane(lowCarry, 12);
        highCarry = Sse2.ShiftLeftLogical128BitLane(highCarry, 4);
        lowCarry = Sse2.ShiftLeftLogical128BitLane(lowCarry, 4);
        low |= lowCarry;
        high |= highCarry | crossing;

        // First phase of the reduction.
        Vector128<uint> folded = Sse2.ShiftLeftLogical(low, 31) ^ Sse2.ShiftLeftLogical(low, 30) ^ Sse2.ShiftLeftLogical(low, 25);
        Vector128<uint> carried = Sse2.ShiftRightLogical128BitLane(folded, 4);
        low ^= Sse2.ShiftLeftLogical128BitLane(folded, 12);

        // Second phase.
        Vector128<uint> second = Sse2.ShiftRightLogical(low, 1) ^ Sse2.ShiftRightLogical(low, 2) ^ Sse2.ShiftRightLogical(low, 7) ^ carried;
        return (high ^ low ^ second).AsByte();
    }
}
