// Everything the application's routes need, assembled by ApiHost.
using Prg.Api.Auth;
using Prg.Api.Chat;
using Prg.Api.Handlers;
using Prg.Logging;
using Prg.Api.Metrics;

namespace Prg.Api;

public sealed class ApiServices
{
    public required IChatService Chat { get; init; }
    public required ApiKeyRing Keys { get; init; }
    public required UserSignature Signatures { get; init; }
    public required RateLimiter RateLimiter { get; init; }
    public required CorsPolicy Cors { get; init; }
    public required IpAllowList AllowList { get; init; }
    public required ApiMetrics Metrics { get; init; }
    public required Retention Retention { get; init; }
    public required KmsAdminHandlers KmsAdmin { get; init; }
    public required Log Log { get; init; }
    public required Func<bool> IsReady { get; init; }
    public KeyServiceProbe? KeyService { get; init; }

    /// <summary>server.max_response_bytes: the byte cap of a page.</summary>
    public long MaxResponseBytes { get; init; } = long.MaxValue;
}
