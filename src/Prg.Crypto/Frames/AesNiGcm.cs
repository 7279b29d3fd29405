// AES-256-GCM on the CPU's AES-NI and carry-less multiply, below OpenSSL's EVP layer: the key schedule
// and the GHASH key powers are computed once per key (in locked key memory, see GcmKeySchedule), so a
// frame is only the AES rounds and the multiplications, with no library calls, parameter lookups or
// context pool. Eight blocks are in flight at a time (AES latency hides behind the other blocks), the
// last 0..127 bytes are one more such batch, and GHASH reduces once per batch (aggregated reduction with
// the key powers H^1..H^9). Constant time: no table lookups, no branches on secret data (only on
// lengths, which are public). Each instance only reads the schedule, so it is thread-safe.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Prg.Crypto;

[SkipLocalsInit]
internal readonly unsafe struct AesNiGcm(byte* schedule) : IGcmSealer
{
    private const int Block = 16;
    private const int Batch = 8; // blocks in flight (AES latency x the CPU's AES units)
    private const int BatchBytes = Batch * Block;

    /// <summary>
    /// True when this CPU (and, under native AOT, the compiled code's runtime check) has the
    /// instructions this engine needs; otherwise FrameKey keeps OpenSSL's EVP.
    /// </summary>
    internal static bool IsSupported => X86Aes.IsSupported && Pclmulqdq.IsSupported && Ssse3.IsSupported;

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        Vector128<byte> counterBase = CounterBase(nonce);
        Vector128<byte> tagMask = EncryptBlock(Counter(counterBase, 1)); // independent of GHASH: issued first, overlaps it
        Vector128<byte> hash = HashAad(aad);
        fixed (byte* input = plaintext, output = ciphertext)
        {
            hash = Crypt(counterBase, input, output, plaintext.Length, aad.Length, hash, hashOutput: true);
        }

        (GhashMath.Reverse(hash) ^ tagMask).CopyTo(tag);
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        CheckLengths(nonce, ciphertext.Length, plaintext.Length, tag.Length);
        Vector128<byte> counterBase = CounterBase(nonce);
        Vector128<byte> tagMask = EncryptBlock(Counter(counterBase, 1));
        Vector128<byte> hash = HashAad(aad);
        fixed (byte* input = ciphertext, output = plaintext)
        {
            hash = Crypt(counterBase, input, output, ciphertext.Length, aad.Length, hash, hashOutput: false);
        }

        // One whole-vector compare: constant time (no early exit on the first differing byte), where
        // CryptographicOperations.FixedTimeEquals is compiled without optimisation (NoOptimization)
        // and cost about a sixth of a 200-byte frame.
        Vector128<byte> expected = GhashMath.Reverse(hash) ^ tagMask;
        if (Vector128.EqualsAll(expected, Vector128.Create<byte>(tag)))
        {
            return true;
        }

        // GCM writes the plaintext before the tag is known to be wrong: leave nothing behind.
        CryptographicOperations.ZeroMemory(plaintext[..ciphertext.Length]);
        return false;
    }

    private static void CheckLengths(ReadOnlySpan<byte> nonce, int inputLength, int outputLength, int tagLength)
    {
        if (nonce.Length != DataFrame.NonceLength || tagLength != DataFrame.TagLength || outputLength < inputLength)
        {
            throw new CryptoException("AES-256-GCM frames carry a 12-byte nonce and a 16-byte tag, and the output must hold the input");
        }
    }

    // The IV with the 32-bit counter field zero; counter i is this OR'ed with big-endian i (inc32).
    private static Vector128<byte> CounterBase(ReadOnlySpan<byte> nonce) =>
        Vector128.Create(MemoryMarshal.Read<ulong>(nonce), MemoryMarshal.Read<uint>(nonce[8..])).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(Vector128<byte> counterBase, uint counter) =>
        counterBase | Vector128.Create(0u, 0u, 0u, BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    private Vector128<byte> HashAad(ReadOnlySpan<byte> aad)
    {
        Vector128<byte> hash = Vector128<byte>.Zero;
        fixed (byte* a = aad)
        {
            int offset = 0;
            for (int whole = aad.Length & ~(BatchBytes - 1); offset < whole; offset += BatchBytes)
            {
                HashBlocks(ref hash, a + offset, Batch);
            }

            int remaining = aad.Length - offset;
            if (remaining > 0)
            {
                TailBlocks padded;
                ZeroPadded(a + offset, remaining, (byte*)&padded);
                HashBlocks(ref hash, (byte*)&padded, (remaining + Block - 1) / Block);
            }
        }

        return hash;
    }

    /// <summary>
    /// CTR over <paramref name="length"/> bytes, hashing the ciphertext (the output when sealing, the input
    /// when opening) and finally the lengths block; returns the GHASH value.
    /// </summary>
    private Vector128<byte> Crypt(Vector128<byte> counterBase, byte* input, byte* output, int length, int aadLength, Vector128<byte> hash, bool hashOutput)
    {
        uint counter = 2; // counter 1 encrypts the tag
        int offset = 0;
        for (int whole = length & ~(BatchBytes - 1); offset < whole; offset += BatchBytes, counter += Batch)
        {
            if (!hashOutput)
            {
                HashBlocks(ref hash, input + offset, Batch); // before the output is written, whatever the buffers
            }

            XorKeystream(counterBase, counter, input + offset, output + offset);
            if (hashOutput)
            {
                HashBlocks(ref hash, output + offset, Batch);
            }
        }

        // The last 0..127 bytes as one more batch through zero-padded stack blocks, then the lengths
        // block, all under one GHASH reduction.
        int remaining = length - offset;
        int blocks = (remaining + Block - 1) / Block;
        TailBlocks tailBlocks;
        byte* tail = (byte*)&tailBlocks;
        if (remaining > 0)
        {
            ZeroPadded(input + offset, remaining, tail);
            TailBlocks resultBlocks;
            byte* result = (byte*)&resultBlocks;
            XorKeystream(counterBase, counter, tail, result);
            Buffer.MemoryCopy(result, output + offset, remaining, remaining);
            if (hashOutput)
            {
                // Keystream past the end must not reach GHASH: the ciphertext is zero-padded too.
                ZeroPadded(result, remaining, tail);
            }
            else
            {
                // Opening, these blocks held the frame's last plaintext bytes (all of a short message): not left on the stack.
                new Span<byte>(result, BatchBytes).Clear();
            }
        }

        // The bit lengths of AAD and text, big-endian (GHASH's last block).
        GhashMath.Reverse(Vector128.Create((ulong)length * 8, (ulong)aadLength * 8).AsByte()).Store(tail + (blocks * Block));
        HashBlocks(ref hash, tail, blocks + 1);
        return hash;
    }

    // Copies count (0..BatchBytes) bytes into a batch of blocks, zero after the last byte.
    private static void ZeroPadded(byte* source, int count, byte* blocks)
    {
        new Span<byte>(blocks, BatchBytes).Clear();
        Buffer.MemoryCopy(source, blocks, BatchBytes, count);
    }

    // output = input ^ AES(counter block i) for the eight blocks of a batch, all eight in flight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void XorKeystream(Vector128<byte> counterBase, uint counter, byte* input, byte* output)
    {
        Vector128<byte> key = RoundKey(0);
        Vector128<byte> k0 = Counter(counterBase, counter) ^ key;
        Vector128<byte> k1 = Counter(counterBase, counter + 1) ^ key;
        Vector128<byte> k2 = Counter(counterBase, counter + 2) ^ key;
        Vector128<byte> k3 = Counter(counterBase, counter + 3) ^ key;
        Vector128<byte> k4 = Counter(counterBase, counter + 4) ^ key;
        Vector128<byte> k5 = Counter(counterBase, counter + 5) ^ key;
        Vector128<byte> k6 = Counter(counterBase, counter + 6) ^ key;
        Vector128<byte> k7 = Counter(counterBase, counter + 7) ^ key;
        for (int round = 1; round < GcmKeySchedule.Rounds; round++)
        {
            key = RoundKey(round);
            k0 = X86Aes.Encrypt(k0, key);
            k1 = X86Aes.Encrypt(k1, key);
            k2 = X86Aes.Encrypt(k2, key);
            k3 = X86Aes.Encrypt(k3, key);
            k4 = X86Aes.Encrypt(k4, key);
            k5 = X86Aes.Encrypt(k5, key);
            k6 = X86Aes.Encrypt(k6, key);
            k7 = X86Aes.Encrypt(k7, key);
        }

        key = RoundKey(GcmKeySchedule.Rounds);
        (X86Aes.EncryptLast(k0, key) ^ Vector128.Load(input)).Store(output);
        (X86Aes.EncryptLast(k1, key) ^ Vector128.Load(input + Block)).Store(output + Block);
        (X86Aes.EncryptLast(k2, key) ^ Vector128.Load(input + (2 * Block))).Store(output + (2 * Block));
        (X86Aes.EncryptLast(k3, key) ^ Vector128.Load(input + (3 * Block))).Store(output + (3 * Block));
        (X86Aes.EncryptLast(k4, key) ^ Vector128.Load(input + (4 * Block))).Store(output + (4 * Block));
        (X86Aes.EncryptLast(k5, key) ^ Vector128.Load(input + (5 * Block))).Store(output + (5 * Block));
        (X86Aes.EncryptLast(k6, key) ^ Vector128.Load(input + (6 * Block))).Store(output + (6 * Block));
        (X86Aes.EncryptLast(k7, key) ^ Vector128.Load(input + (7 * Block))).Store(output + (7 * Block));
    }

    // ((((X ^ b0)·H ^ b1)·H ...) ^ b(n-1))·H = (X ^ b0)·H^n ^ b1·H^(n-1) ^ ... ^ b(n-1)·H, reduced once,
    // for 1..HashPowers blocks (lengths are public, so the loop bound leaks nothing).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void HashBlocks(ref Vector128<byte> hash, byte* blocks, int count)
    {
        GhashMath.Wide sum = GhashMath.Multiply(hash ^ GhashMath.Reverse(Vector128.Load(blocks)), H(count));
        for (int i = 1; i < count; i++)
        {
            sum ^= GhashMath.Multiply(GhashMath.Reverse(Vector128.Load(blocks + (i * Block))), H(count - i));
        }

        hash = GhashMath.Reduce(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> H(int power) => Vector128.Load(schedule + GcmKeySchedule.HashPowersOffset + ((power - 1) * Block));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> RoundKey(int round) => Vector128.Load(schedule + (round * Block));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector128<byte> EncryptBlock(Vector128<byte> block)
    {
        block ^= RoundKey(0);
        for (int round = 1; round < GcmKeySchedule.Rounds; round++)
        {
            block = X86Aes.Encrypt(block, RoundKey(round));
        }

        return X86Aes.EncryptLast(block, RoundKey(GcmKeySchedule.Rounds));
    }

    /// <summary>A batch of blocks plus the lengths block, on the stack as a fixed local (not a localloc).</summary>
    [InlineArray(Batch + 1)]
    private struct TailBlocks
    {
        private Vector128<byte> _block;
    }
}
