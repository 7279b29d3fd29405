// AES-256-GCM on the CPU's AES-NI and carry-less multiply, below OpenSSL's EVP layer: the key schedule
// and the GHASH key powers are computed once per key (in locked key memory, see GcmKeySchedule), so a
// frame is only the AES rounds and the multiplications, with no library calls, parameter lookups or
// context pool. Four blocks are in flight at a time (AES latency hides behind the other blocks), the
// last 0..63 bytes are one more such batch, and GHASH reduces once per batch (aggregated reduction with
// the key powers H^1..H^5). Constant time: no table lookups, no branches on secret data (only on
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
    private const int Batch = 4; // blocks in flight
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

        Vector128<byte> expected = GhashMath.Reverse(hash) ^ tagMask;
        if (CryptographicOperations.FixedTimeEquals(new ReadOnlySpan<byte>(&expected, Block), tag))
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
                Hash4(ref hash, Vector128.Load(a + offset), Vector128.Load(a + offset + Block),
                    Vector128.Load(a + offset + (2 * Block)), Vector128.Load(a + offset + (3 * Block)));
            }

            int remaining = aad.Length - offset;
            if (remaining > 0)
            {
                TailBlocks padded;
                ZeroPadded(a + offset, remaining, (Vector128<byte>*)&padded);
                HashBlocks(ref hash, (Vector128<byte>*)&padded, (remaining + Block - 1) / Block);
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
            Vector128<byte> k0 = Counter(counterBase, counter);
            Vector128<byte> k1 = Counter(counterBase, counter + 1);
            Vector128<byte> k2 = Counter(counterBase, counter + 2);
            Vector128<byte> k3 = Counter(counterBase, counter + 3);
            Encrypt4(ref k0, ref k1, ref k2, ref k3);
            byte* i = input + offset;
            byte* o = output + offset;
            Vector128<byte> c0 = Vector128.Load(i);
            Vector128<byte> c1 = Vector128.Load(i + Block);
            Vector128<byte> c2 = Vector128.Load(i + (2 * Block));
            Vector128<byte> c3 = Vector128.Load(i + (3 * Block));
            Vector128<byte> p0 = c0 ^ k0;
            Vector128<byte> p1 = c1 ^ k1;
            Vector128<byte> p2 = c2 ^ k2;
            Vector128<byte> p3 = c3 ^ k3;
            p0.Store(o);
            p1.Store(o + Block);
            p2.Store(o + (2 * Block));
            p3.Store(o + (3 * Block));
            if (hashOutput)
            {
                Hash4(ref hash, p0, p1, p2, p3);
            }
            else
            {
                Hash4(ref hash, c0, c1, c2, c3);
            }
        }

        // The last 0..63 bytes as one more batch through zero-padded stack blocks, then the lengths
        // block, all under one GHASH reduction.
        int remaining = length - offset;
        int blocks = (remaining + Block - 1) / Block;
        TailBlocks tailBlocks;
        var tail = (Vector128<byte>*)&tailBlocks;
        if (remaining > 0)
        {
            ZeroPadded(input + offset, remaining, tail);
            Vector128<byte> k0 = Counter(counterBase, counter);
            Vector128<byte> k1 = Counter(counterBase, counter + 1);
            Vector128<byte> k2 = Counter(counterBase, counter + 2);
            Vector128<byte> k3 = Counter(counterBase, counter + 3);
            Encrypt4(ref k0, ref k1, ref k2, ref k3);
            TailBlocks resultBlocks;
            var result = (Vector128<byte>*)&resultBlocks;
            result[0] = tail[0] ^ k0;
            result[1] = tail[1] ^ k1;
            result[2] = tail[2] ^ k2;
            result[3] = tail[3] ^ k3;
            Buffer.MemoryCopy(result, output + offset, remaining, remaining);
            if (hashOutput)
            {
                // Keystream past the end must not reach GHASH: the ciphertext is zero-padded too.
                ZeroPadded((byte*)result, remaining, tail);
            }
        }

        // The bit lengths of AAD and text, big-endian (GHASH's last block).
        tail[blocks] = GhashMath.Reverse(Vector128.Create((ulong)length * 8, (ulong)aadLength * 8).AsByte());
        HashBlocks(ref hash, tail, blocks + 1);
        return hash;
    }

    // Copies count (0..64) bytes into four blocks, zero after the last byte.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZeroPadded(byte* source, int count, Vector128<byte>* blocks)
    {
        blocks[0] = blocks[1] = blocks[2] = blocks[3] = Vector128<byte>.Zero;
        Buffer.MemoryCopy(source, blocks, BatchBytes, count);
    }

    // (((X ^ b0)·H ^ b1)·H ^ b2)·H ^ b3)·H = (X ^ b0)·H^4 ^ b1·H^3 ^ b2·H^2 ^ b3·H, reduced once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Hash4(ref Vector128<byte> hash, Vector128<byte> b0, Vector128<byte> b1, Vector128<byte> b2, Vector128<byte> b3)
    {
        GhashMath.Wide sum = GhashMath.Multiply(hash ^ GhashMath.Reverse(b0), H(4));
        sum ^= GhashMath.Multiply(GhashMath.Reverse(b1), H(3));
        sum ^= GhashMath.Multiply(GhashMath.Reverse(b2), H(2));
        sum ^= GhashMath.Multiply(GhashMath.Reverse(b3), H(1));
        hash = GhashMath.Reduce(sum);
    }

    // The same for 1..HashPowers blocks (lengths are public, so the loop bound leaks nothing).
    private void HashBlocks(ref Vector128<byte> hash, Vector128<byte>* blocks, int count)
    {
        GhashMath.Wide sum = GhashMath.Multiply(hash ^ GhashMath.Reverse(blocks[0]), H(count));
        for (int i = 1; i < count; i++)
        {
            sum ^= GhashMath.Multiply(GhashMath.Reverse(blocks[i]), H(count - i));
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Encrypt4(ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3)
    {
        Vector128<byte> key = RoundKey(0);
        b0 ^= key;
        b1 ^= key;
        b2 ^= key;
        b3 ^= key;
        for (int round = 1; round < GcmKeySchedule.Rounds; round++)
        {
            key = RoundKey(round);
            b0 = X86Aes.Encrypt(b0, key);
            b1 = X86Aes.Encrypt(b1, key);
            b2 = X86Aes.Encrypt(b2, key);
            b3 = X86Aes.Encrypt(b3, key);
        }

        key = RoundKey(GcmKeySchedule.Rounds);
        b0 = X86Aes.EncryptLast(b0, key);
        b1 = X86Aes.EncryptLast(b1, key);
        b2 = X86Aes.EncryptLast(b2, key);
        b3 = X86Aes.EncryptLast(b3, key);
    }

    /// <summary>A batch of blocks plus the lengths block, on the stack as a fixed local (not a localloc).</summary>
    [InlineArray(Batch + 1)]
    private struct TailBlocks
    {
        private Vector128<byte> _block;
    }
}
