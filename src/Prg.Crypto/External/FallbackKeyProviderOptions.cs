// Tuning knobs of the fallback provider.
namespace Prg.Crypto;

/// <summary>Options for <see cref="FallbackKeyProvider"/>.</summary>
public sealed class FallbackKeyProviderOptions
{
    /// <summary>
    /// After the service was found unavailable, reads go straight to the local fallback for this long
    /// before the service is tried again (so an outage does not add a failed round trip to every read).
    /// Writes always try the service.
    /// </summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);
}
