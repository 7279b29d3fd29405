// The four loops `prg bench crypto` times: prg's data frames and the bare AES-GCM ceiling, each way.
namespace Prg.Bench;

public enum CryptoOperation
{
    /// <summary>DataFrame.Encrypt with an AesGcm rented from the pool per call (what the server does).</summary>
    FrameEncrypt,

    /// <summary>DataFrame.TryDecrypt with a pooled AesGcm per call.</summary>
    FrameDecrypt,

    /// <summary>AesGcm.Encrypt into a preallocated buffer: no framing, no AAD, no pool (the ceiling).</summary>
    GcmEncrypt,

    /// <summary>AesGcm.Decrypt from a preallocated buffer (the ceiling).</summary>
    GcmDecrypt,
}
