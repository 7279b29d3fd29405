// The four loops `prg bench crypto` times: prg's data frames and the bare AES-GCM ceiling, each way.
namespace Prg.Bench;

public enum CryptoOperation
{
    /// <summary>FrameKey.Encrypt on the frame engine (AES-NI, or a pooled OpenSSL context per call), fresh nonce, AAD (what the server does).</summary>
    FrameEncrypt,

    /// <summary>FrameKey.TryDecrypt on the frame engine.</summary>
    FrameDecrypt,

    /// <summary>AesGcm.Encrypt into a preallocated buffer: no framing, no AAD, no pool (the former per-frame primitive).</summary>
    GcmEncrypt,

    /// <summary>AesGcm.Decrypt from a preallocated buffer.</summary>
    GcmDecrypt,
}
