// Everything the application's routes need, assembled by ApiHost.
using Prg.Api.Auth;
using Prg.Api.Chat;
using Prg.Api.Encryption;
using Prg.Api.Handlers;
using Prg.Api.Metrics;
using Prg.Api.Operations;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api;

public sealed class ApiServices
{
    public required IChatService Chat { get; init; }

    /// <summary>The store and cipher under <see cref="Chat"/>: the feeds read event records and decrypt them directly.</summary>
    public required ChatStore Store { get; init; }
    public required RecordCipher Cipher { get; init; }

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

    /// <summary>Live feeds: configuration, the open-feed cap and counters, stream tokens.</summary>
    public Feeds.FeedServices Feeds { get; init; } = new(new Config.FeedsConfig());

    /// <summary>Online backups (the admin backup routes).</summary>
    public required BackupSessions Backups { get; init; }

    /// <summary>server.max_response_bytes: the byte cap of a page.</summary>
    public long MaxResponseBytes { get; init; } = long.MaxValue;
}
