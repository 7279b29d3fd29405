// Direct calls into OpenSSL's EVP interface (libcrypto.so.3, which the .NET runtime on Linux loads
// anyway). AesGcm pays a context reset, key checks and several managed layers per call; going
// straight to EVP lets a frame cost one IV reset plus the AES work (see GcmContext).
using System.Runtime.InteropServices;

namespace Prg.Crypto;

internal static unsafe partial class LibCrypto
{
    private const string Library = "libcrypto.so.3";

    internal const int CtrlGcmGetTag = 0x10; // EVP_CTRL_AEAD_GET_TAG
    internal const int CtrlGcmSetTag = 0x11; // EVP_CTRL_AEAD_SET_TAG

    private static readonly Lazy<nint> s_aes256Gcm = new(LoadAes256Gcm);

    /// <summary>The EVP_CIPHER of AES-256-GCM; the first call proves libcrypto is loadable.</summary>
    /// <exception cref="CryptoException">libcrypto.so.3 cannot be loaded or lacks AES-256-GCM (fail closed).</exception>
    internal static nint Aes256Gcm => s_aes256Gcm.Value;

    [LibraryImport(Library)]
    internal static partial nint EVP_CIPHER_CTX_new();

    // Frees the context after cleansing the key schedule it holds.
    [LibraryImport(Library)]
    internal static partial void EVP_CIPHER_CTX_free(nint ctx);

    [LibraryImport(Library)]
    internal static partial int EVP_CipherInit_ex(nint ctx, nint cipher, nint engine, byte* key, byte* iv, int enc);

    [LibraryImport(Library)]
    internal static partial int EVP_CipherUpdate(nint ctx, byte* output, int* outputLength, byte* input, int inputLength);

    [LibraryImport(Library)]
    internal static partial int EVP_CipherFinal_ex(nint ctx, byte* output, int* outputLength);

    [LibraryImport(Library)]
    internal static partial int EVP_CIPHER_CTX_ctrl(nint ctx, int type, int arg, void* ptr);

    [LibraryImport(Library)]
    private static partial nint EVP_aes_256_gcm();

    private static nint LoadAes256Gcm()
    {
        nint cipher;
        try
        {
            cipher = EVP_aes_256_gcm();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new CryptoException($"AES-256-GCM needs OpenSSL 3 ({Library}), which could not be loaded: {e.Message}", e);
        }

        return cipher != 0 ? cipher : throw new CryptoException($"{Library} has no AES-256-GCM cipher");
    }
}
