// Direct calls into OpenSSL's EVP interface (libcrypto.so.3, which the .NET runtime on Linux loads
// anyway). AesGcm pays a context reset, key checks and several managed layers per call; going
// straight to EVP lets a frame cost one IV reset plus the AES work (see GcmContext).
using System.Runtime.InteropServices;

namespace Prg.Crypto;

internal static unsafe partial class LibCrypto
{
    private const string Library = "libcrypto.so.3";

    internal const int CtrlGcmGetTag = 0x10; // EVP_CTRL_AEAD_GET_TAG

    private static readonly Lazy<nint> s_aes256Gcm = new(LoadAes256Gcm);

    /// <summary>The EVP_CIPHER of AES-256-GCM; the first call proves libcrypto is loadable.</summary>
    /// <exception cref="CryptoException">libcrypto.so.3 cannot be loaded or lacks AES-256-GCM (fail closed).</exception>
    internal static nint Aes256Gcm => s_aes256Gcm.Value;

    [LibraryImport(Library)]
    internal static partial nint EVP_CIPHER_CTX_new();

    // Frees the context after cleansing the key schedule it holds.
    [LibraryImport(Library)]
    internal static partial void EVP_CIPHER_CTX_free(nint ctx);

    // The per-frame calls below skip the runtime's GC-mode transition (SuppressGCTransition): each is a
    // short, non-blocking computation on memory the caller pinned that never calls back into .NET, and
    // a page makes 200 of them, where the transitions cost more than a 200-byte frame's AES.
    [LibraryImport(Library)]
    internal static partial int EVP_CipherInit_ex(nint ctx, nint cipher, nint engine, byte* key, byte* iv, int enc);

    /// <summary>As EVP_CipherInit_ex, with optional context parameters (sealing passes none: it sets the key or IV).</summary>
    [LibraryImport(Library)]
    [SuppressGCTransition]
    internal static partial int EVP_CipherInit_ex2(nint ctx, nint cipher, byte* key, byte* iv, int enc, OsslParam* parameters);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    internal static partial int EVP_CipherUpdate(nint ctx, byte* output, int* outputLength, byte* input, int inputLength);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    internal static partial int EVP_CipherFinal_ex(nint ctx, byte* output, int* outputLength);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    internal static partial int EVP_CIPHER_CTX_ctrl(nint ctx, int type, int arg, void* ptr);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    internal static partial int EVP_CIPHER_CTX_set_params(nint ctx, OsslParam* parameters);

    [LibraryImport(Library)]
    private static partial nint EVP_aes_256_gcm();

    /// <summary>OpenSSL's OSSL_PARAM (key, data_type, data, data_size, return_size).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OsslParam
    {
        private const uint OctetString = 5; // OSSL_PARAM_OCTET_STRING

        public byte* Key;
        public uint DataType;
        public void* Data;
        public nuint DataSize;
        public nuint ReturnSize;

        /// <summary>An octet-string parameter; <paramref name="key"/> must be NUL-terminated and outlive the call.</summary>
        public static OsslParam Octets(byte* key, void* data, nuint length) =>
            new() { Key = key, DataType = OctetString, Data = data, DataSize = length, ReturnSize = nuint.MaxValue };
    }

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
