// The AES-256-GCM primitive under a data frame, so DataFrame's layout and checks are written once for
// every implementation: .NET's AesGcm (the reference, and the external provider's fallback), and under
// FrameKey (the hot path) AesNiGcm or a pooled OpenSSL context. Implemented by structs so calls are not virtual.
using System.Security.Cryptography;

namespace Prg.Crypto;

internal interface IGcmSealer
{
    void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad);

    /// <summary>False, with <paramref name="plaintext"/> cleared, if the tag does not verify.</summary>
    bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad);
}

internal readonly struct AesGcmSealer(AesGcm aes) : IGcmSealer
{
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad) =>
        aes.Encrypt(nonce, plaintext, ciphertext, tag, aad);

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            return true;
        }
        catch (CryptographicException)
        {
            return false; // AesGcm clears the plaintext itself
        }
    }
}
