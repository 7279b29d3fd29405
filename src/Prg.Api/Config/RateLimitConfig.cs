// `server.rate_limit.*`: the per-API-key token bucket.
namespace Prg.Api.Config;

public sealed class RateLimitConfig
{
    /// <summary>`server.rate_limit.rps`: sustained requests per second per key; 0 turns rate limiting off.</summary>
    public double Rps { get; set; } = 1000;

    /// <summary>`server.rate_limit.burst`: requests a key may make at once after being idle.</summary>
    public int Burst { get; set; } = 1000;
}
