// Tuning knobs of the embedded key provider.
namespace Prg.Crypto;

/// <summary>Options for <see cref="EmbeddedKeyProvider"/>.</summary>
public sealed class EmbeddedKeyProviderOptions
{
    /// <summary>Most unwrapped DEKs (and key ids) held in memory; ones not used lately are zeroed first.</summary>
    public int DekCacheCapacity { get; init; } = 4096;

    /// <summary>
    /// Idle cipher contexts kept per DEK (rounded up to a power of two); enough for every core to
    /// work on one thread at once. The name predates the OpenSSL contexts that replaced AesGcm.
    /// </summary>
    public int AesGcmPoolSize { get; init; } = Math.Max(2, Environment.ProcessorCount);
}
