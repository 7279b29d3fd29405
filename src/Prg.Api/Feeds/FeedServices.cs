// What the feed routes share across requests: their configuration, the open-feed cap and counters,
// and the stream-token minter.
using Prg.Api.Config;

namespace Prg.Api.Feeds;

public sealed class FeedServices(FeedsConfig config)
{
    public FeedsConfig Config => config;

    public FeedRegistry Registry { get; } = new(config.MaxSubscribers);

    public StreamTokens Tokens { get; } = new(config.TokenTtl);
}
