// One OpenSSL AES-256-GCM context with its key schedule computed once, keyed for one direction;
// each frame only resets the IV. Not thread-safe: FrameKey hands each context to one caller at a time.
using System.Security.Cryptography;

namespace Prg.Crypto;

internal readonly unsafe struct GcmContext : IGcmSealer
{
    private readonly nint _ctx;

    private GcmContext(nint ctx) => _ctx = ctx;

    internal nint Handle => _ctx;

    /// <summary>
    /// A context keyed with the 32 bytes at <paramref name="key"/> to seal (<paramref name="encrypt"/>)
    /// or to open; free it with <see cref="Free"/>.
    /// </summary>
    /// <exception cref="CryptoException">libcrypto is missing or refused the key (fail closed).</exception>
    internal static GcmContext Create(byte* key, bool encrypt)
    {
        nint cipher = LibCrypto.Aes256Gcm;
        nint ctx = LibCrypto.EVP_CIPHER_CTX_new();
        if (ctx == 0)
        {
            throw new CryptoException("OpenSSL could not allocate a cipher context");
        }

        if (LibCrypto.EVP_CipherInit_ex(ctx, cipher, 0, key, null, encrypt ? 1 : 0) != 1)
        {
            LibCrypto.EVP_CIPHER_CTX_free(ctx);
            throw new CryptoException("OpenSSL refused to initialise AES-256-GCM with the key");
        }

        return new GcmContext(ctx);
    }

    internal static GcmContext FromHandle(nint ctx) => new(ctx);

    /// <summary>Cleanses the key schedule and frees the context.</summary>
    internal void Free() => LibCrypto.EVP_CIPHER_CTX_free(_ctx);

    /// <summary>Seals one frame; the context must have been created to encrypt.</summary>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad)
    {
        fixed (byte* n = nonce, p = plaintext, c = ciphertext, t = tag, a = aad)
        {
            int written;
            bool ok = LibCrypto.EVP_CipherInit_ex2(_ctx, 0, null, n, 1, null) == 1
                && LibCrypto.EVP_CipherUpdate(_ctx, null, &written, a, aad.Length) == 1
                && (plaintext.IsEmpty || LibCrypto.EVP_CipherUpdate(_ctx, c, &written, p, plaintext.Length) == 1)
                && LibCrypto.EVP_CipherFinal_ex(_ctx, c + plaintext.Length, &written) == 1
                && LibCrypto.EVP_CIPHER_CTX_ctrl(_ctx, LibCrypto.CtrlGcmGetTag, tag.Length, t) == 1;
            if (!ok)
            {
                CryptographicOperations.ZeroMemory(ciphertext);
                throw new CryptoException("OpenSSL AES-256-GCM encryption failed");
            }
        }
    }

    /// <summary>Opens one frame; the context must have been created to decrypt.</summary>
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        if (nonce.Length != DataFrame.NonceLength)
        {
            throw new CryptoException("AES-256-GCM frames carry a 12-byte nonce");
        }

        fixed (byte* n = nonce, c = ciphertext, t = tag, p = plaintext, a = aad)
        fixed (byte* ivKey = "tlsivfixed\0"u8, tagKey = "tag\0"u8)
        {
            // The frame's IV and expected tag in one parameter call, instead of a cipher re-init (whose
            // IV-length query walks the provider's parameter names) and a tag ctrl: OpenSSL's
            // EVP_CTRL_GCM_SET_IV_FIXED with length -1 restores the whole IV, as a re-init would.
            LibCrypto.OsslParam* parameters = stackalloc LibCrypto.OsslParam[3];
            parameters[0] = LibCrypto.OsslParam.Octets(ivKey, n, nuint.MaxValue);
            parameters[1] = LibCrypto.OsslParam.Octets(tagKey, t, (nuint)tag.Length);
            parameters[2] = default;
            int written;
            if (LibCrypto.EVP_CIPHER_CTX_set_params(_ctx, parameters) != 1
                || LibCrypto.EVP_CipherUpdate(_ctx, null, &written, a, aad.Length) != 1
                || (!ciphertext.IsEmpty && LibCrypto.EVP_CipherUpdate(_ctx, p, &written, c, ciphertext.Length) != 1))
            {
                CryptographicOperations.ZeroMemory(plaintext);
                throw new CryptoException("OpenSSL AES-256-GCM decryption failed");
            }

            // GCM writes the plaintext before the tag is checked: clear it when the tag is wrong.
            if (LibCrypto.EVP_CipherFinal_ex(_ctx, p + ciphertext.Length, &written) != 1)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                return false;
            }

            return true;
        }
    }
}
