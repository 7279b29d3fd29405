// CorsPolicy: exact origin matching, the `*` wildcard, and the disabled state.
using Prg.Api.Auth;
using Prg.Api.Config;

namespace Prg.Api.Tests.Auth;

public class CorsPolicyTests
{
    [Fact]
    public void AllowsOnlyExactlyConfiguredOrigins()
    {
        var policy = new CorsPolicy(["http://localhost:3000", "https://chat.example.com"]);

        Assert.True(policy.IsEnabled);
        Assert.False(policy.AllowsAnyOrigin);
        Assert.True(policy.IsAllowed("http://localhost:3000"u8));
        Assert.True(policy.IsAllowed("https://chat.example.com"u8));
        Assert.False(policy.IsAllowed("http://localhost:3001"u8));
        Assert.False(policy.IsAllowed("https://chat.example.com.evil.test"u8));
        Assert.False(policy.IsAllowed("http://chat.example.com"u8));
        Assert.False(policy.IsAllowed("https://CHAT.example.com"u8));
        Assert.False(policy.IsAllowed(""u8));
    }

    [Fact]
    public void WildcardAllowsAnyOrigin()
    {
        CorsPolicy policy = CorsPolicy.FromConfig(new CorsConfig { AllowedOrigins = ["*"] });

        Assert.True(policy.AllowsAnyOrigin);
        Assert.True(policy.IsAllowed("https://anything.example"u8));
        Assert.False(policy.IsAllowed(""u8));
    }

    [Fact]
    public void NoOriginsMeansDisabled()
    {
        var policy = new CorsPolicy([]);

        Assert.False(policy.IsEnabled);
        Assert.False(policy.IsAllowed("http://localhost:3000"u8));
    }

    [Fact]
    public void TrailingSlashInConfiguredOriginIsIgnored()
    {
        var policy = new CorsPolicy(["https://chat.example.com/"]);

        Assert.True(policy.IsAllowed("https://chat.example.com"u8));
    }

    [Fact]
    public void HeaderValuesMatchTheSpec()
    {
        Assert.Equal("GET,POST,PUT,DELETE,PATCH,OPTIONS"u8.ToArray(), CorsPolicy.AllowMethods.ToArray());
        Assert.Equal("Authorization,Content-Type,X-API-Key,X-User-ID,X-User-Signature"u8.ToArray(), CorsPolicy.AllowHeaders.ToArray());
        Assert.Equal("600"u8.ToArray(), CorsPolicy.MaxAge.ToArray());
    }

    [Fact]
    public void EmptyOriginEntryIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new CorsPolicy([" "]));
    }
}
