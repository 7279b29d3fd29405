// `feeds.*` (prg, beyond the reference): live thread feeds (server-sent events and long-poll), how many
// events each thread keeps for resuming, and the bounds that keep slow or idle subscribers cheap.
namespace Prg.Api.Config;

public sealed class FeedsConfig
{
    /// <summary>`feeds.retention`: events each thread's feed keeps (1-1024); an older cursor gets `event: reset`.</summary>
    public int Retention { get; set; } = 1000;

    /// <summary>`feeds.max_subscribers`: open feeds (event streams and waiting long-polls); more get 503.</summary>
    public int MaxSubscribers { get; set; } = 10_000;

    /// <summary>`feeds.subscriber_buffer`: bytes of events queued for a client that is not reading before it is cut off.</summary>
    public long SubscriberBuffer { get; set; } = 1 << 20;

    /// <summary>`feeds.coalesce`: after a feed's subscribers are woken, how long newer events gather before the next wake (one socket write carries them all).</summary>
    public TimeSpan Coalesce { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>`feeds.heartbeat`: interval of the comment lines that keep an idle stream alive through proxies.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>`feeds.token_ttl`: how long a browser stream token may be used to open a feed.</summary>
    public TimeSpan TokenTtl { get; set; } = TimeSpan.FromSeconds(60);
}
