// AES-256-GCM on the CPU's AES-NI and carry-less multiply, below OpenSSL's EVP layer: the key schedule
// and the GHASH key powers are computed once per key (in locked key memory, see GcmKeySchedule), so a
// frame is only the AES rounds and the multiplications, with no library calls, parameter lookups or
// context pool. Four blocks are in flight at a time (AES latency hides behind the other blocks) and
// GHASH reduces once per four blocks (aggregated reduction with H^1..H^4). Constant time: no table
// lookups, no branches on secret data. Each instance only reads the schedule, so it is thread-safe.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Prg.Crypto;

[SkipLocalsInit]
internal readonly unsafe struct AesNiGcm(byte* schedule) : IGcmSealer
{
    private const int Block = 16;

    /// <summary>
    /// True when this CPU (and, under native AOT, the compiled code's runtime check) has the
    /// instructions this engine needs; otherwise FrameKey keeps OpenSSL's EVP.
    /// </summary>
    internal static bool IsSupported => X86Aes.IsSupported && Pclmulqdq.IsSupported && Ssse3.IsSupported;

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        Vector128<byte> counterBase = CounterBase(nonce);
        Vector128<byte> hash = Vector128<byte>.Zero;
        HashAad(ref hash, aad);
        fixed (byte* input = plaintext, output = ciphertext)
        {
            Crypt(counterBase, input, output, plaintext.Length, ref hash, hashOutput: true);
        }

        ComputeTag(counterBase, hash, aad.Length, plaintext.Length).CopyTo(tag);
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        CheckLengths(nonce, ciphertext.Length, plaintext.Length, tag.Length);
        Vector128<byte> counterBase = CounterBase(nonce);
        Vector128<byte> hash = Vector128<byte>.Zero;
        HashAad(ref hash, aad);
        fixed (byte* input = ciphertext, output = plaintext)
        {
            Crypt(counterBase, input, output, ciphertext.Length, ref hash, hashOutput: false);
        }

        Span<byte> expected = stackalloc byte[Block];
        ComputeTag(counterBase, hash, aad.Length, ciphertext.Length).CopyTo(expected);
        if (CryptographicOperations.FixedTimeEquals(expected, tag))
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
    private static Vector128<byte> CounterBase(ReadOnlySpan<byte> nonce)
    {
        Span<byte> block = stackalloc byte[Block];
        nonce.CopyTo(block);
        block[12..].Clear();
        return Vector128.Create<byte>(block);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(Vector128<byte> counterBase, uint counter) =>
        counterBase | Vector128.Create(0u, 0u, 0u, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    private void HashAad(ref Vector128<byte> hash, ReadOnlySpan<byte> aad)
    {
        fixed (byte* a = aad)
        {
            int whole = aad.Length & ~(4 * Block - 1);
            int offset = 0;
            for (; offset < whole; offset += 4 * Block)
            {
                Hash4(ref hash, Vector128.Load(a + offset), Vector128.Load(a + offset + Block),
                    Vector128.Load(a + offset + (2 * Block)), Vector128.Load(a + offset + (3 * Block)));
            }

            for (; offset + Block <= aad.Length; offset += Block)
            {
                Hash1(ref hash, Vector128.Load(a + offset));
            }

            if (offset < aad.Length)
            {
                Hash1(ref hash, LoadPartial(a + offset, aad.Length - offset));
            }
        }
    }

    /// <summary>CTR over <paramref name="length"/> bytes, hashing the ciphertext (output when sealing, input when opening).</summary>
    private void Crypt(Vector128<byte> counterBase, byte* input, byte* output, int length, ref Vector128<byte> hash, bool hashOutput)
    {
        uint counter = 2; // counter 1 encrypts the tag
        int offset = 0;
        int whole = length & ~(4 * Block - 1);
        for (; offset < whole; offset += 4 * Block, counter += 4)
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

        for (; offset < length; offset += Block, counter++)
        {
            Vector128<byte> keystream = EncryptBlock(Counter(counterBase, counter));
            int count = Math.Min(Block, length - offset);
            Vector128<byte> inBlock = count == Block ? Vector128.Load(input + offset) : LoadPartial(input + offset, count);
            Vector128<byte> outBlock = inBlock ^ keystream;
            if (count == Block)
            {
                outBlock.Store(output + offset);
                Hash1(ref hash, hashOutput ? outBlock : inBlock);
            }
            else
            {
                // Keystream bytes past the end must not reach GHASH: keep the zero padding of the input.
                outBlock &= PrefixMask(count);
                StorePartial(outBlock, output + offset, count);
                Hash1(ref hash, hashOutput ? outBlock : inBlock);
            }
        }
    }

    private Vector128<byte> ComputeTag(Vector128<byte> counterBase, Vector128<byte> hash, int aadLength, int textLength)
    {
        // The lengths block (bit lengths, big-endian) already byte-reversed, as GHASH works on reversed blocks.
        Vector128<byte> lengths = Vector128.Create((ulong)textLength * 8, (ulong)aadLength * 8).AsByte();
        hash = GhashMath.Reduce(GhashMath.Multiply(hash ^ lengths, H(1)));
        return GhashMath.Reverse(hash) ^ EncryptBlock(Counter(counterBase, 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Hash1(ref Vector128<byte> hash, Vector128<byte> block) =>
        hash = GhashMath.Reduce(GhashMath.Multiply(hash ^ GhashMath.Reverse(block), H(1)));

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

    // A short tail through a zeroed stack block, so no load reads past the caller's span.
    private static Vector128<byte> LoadPartial(byte* source, int count)
    {
        Vector128<byte> block = Vector128<byte>.Zero;
        Buffer.MemoryCopy(source, &block, Block, count);
        return block;
    }

    private static void StorePartial(Vector128<byte> block, byte* destination, int count) =>
        Buffer.MemoryCopy(&block, destination, count, count);

    private static Vector128<byte> PrefixMask(int count) =>
        Vector128.GreaterThan(Vector128.Create((byte)count), Vector128<byte>.Indices);
}
