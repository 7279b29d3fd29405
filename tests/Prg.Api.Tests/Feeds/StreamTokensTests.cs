// Browser stream tokens: accepted for their own feed and user until they expire, refused when
// expired, used for another feed, altered, or minted by another process (another secret).
using Prg.Api.Feeds;

namespace Prg.Api.Tests.Feeds;

public sealed class StreamTokensTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void ATokenOpensItsOwnFeedForItsUserUntilItExpires()
    {
        var tokens = new StreamTokens(TimeSpan.FromSeconds(60));
        var token = tokens.Mint("alice:with:colons", "thread:t1", Now);

        Assert.True(tokens.TryVerify(token, "thread:t1", Now.AddSeconds(60), out var user));
        Assert.Equal("alice:with:colons", user);
        Assert.False(tokens.TryVerify(token, "thread:t1", Now.AddSeconds(61), out _));
        Assert.False(tokens.TryVerify(token, "thread:t2", Now, out _));
        Assert.False(tokens.TryVerify(token, "inbox", Now, out _));
    }

    [Fact]
    public void AlteredMalformedAndForeignTokensAreRefused()
    {
        var tokens = new StreamTokens(TimeSpan.FromSeconds(60));
        var token = tokens.Mint("alice", "thread:t1", Now);
        var dot = token.IndexOf('.');
        var other = tokens.Mint("mallory", "thread:t1", Now);
        var otherPayload = other[..other.IndexOf('.')];

        Assert.False(tokens.TryVerify(otherPayload + token[dot..], "thread:t1", Now, out _));
        Assert.False(tokens.TryVerify(token[..^1] + (token[^1] == 'A' ? 'B' : 'A'), "thread:t1", Now, out _));
        Assert.False(tokens.TryVerify("", "thread:t1", Now, out _));
        Assert.False(tokens.TryVerify("no-dot", "thread:t1", Now, out _));
        Assert.False(tokens.TryVerify("!!.!!", "thread:t1", Now, out _));
        Assert.False(new StreamTokens(TimeSpan.FromSeconds(60)).TryVerify(token, "thread:t1", Now, out _));
    }
}
