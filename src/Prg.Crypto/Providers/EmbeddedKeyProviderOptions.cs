// Tuning knobs of the embedded key provider.
namespace Prg.Crypto;

/// <summary>Options for <see cref="EmbeddedKeyProvider"/>.</summary>
public sealed class EmbeddedKeyProviderOptions
{
    /// <summary>Most unwrapped DEKs (and key ids) held in memory; least recently used are zeroed first.</summary>
    public int DekCacheCapacity { get; init; } = 4096;

    /// <summary>Idle AesGcm instances kept per DEK; enough for every core to work on one thread at once.</summary>
    public int AesGcmPoolSize { get; init; } = Math.Max(2, Environment.ProcessorCount);
}
