// ApiKeyRing: roles, lookup order, exactness of matching and construction errors.
using System.Text;
using Prg.Api.Auth;
using Prg.Api.Config;

namespace Prg.Api.Tests.Auth;

public class ApiKeyRingTests
{
    private static readonly ApiKeyRing s_ring = new(["admin_a", "admin_b"], ["sk_a"], ["pk_a", "pk_b"]);

    [Theory]
    [InlineData("admin_a", ApiRole.Admin, 0)]
    [InlineData("admin_b", ApiRole.Admin, 1)]
    [InlineData("sk_a", ApiRole.Backend, 2)]
    [InlineData("pk_a", ApiRole.Frontend, 3)]
    [InlineData("pk_b", ApiRole.Frontend, 4)]
    public void KnownKeysMapToTheirRoleAndStableIndex(string key, ApiRole role, int index)
    {
        ApiKeyMatch match = s_ring.Lookup(Encoding.UTF8.GetBytes(key));

        Assert.True(match.IsMatch);
        Assert.Equal(role, match.Role);
        Assert.Equal(index, match.KeyIndex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sk_")]
    [InlineData("sk_a ")]
    [InlineData("sk_aa")]
    [InlineData("SK_A")]
    [InlineData("admin_")]
    [InlineData("unknown")]
    public void UnknownPrefixedExtendedOrDifferentlyCasedKeysHaveNoRole(string key)
    {
        ApiKeyMatch match = s_ring.Lookup(Encoding.UTF8.GetBytes(key));

        Assert.False(match.IsMatch);
        Assert.Equal(ApiRole.None, match.Role);
        Assert.Equal(-1, match.KeyIndex);
    }

    [Fact]
    public void IndexesFollowTheOrderAdminBackendFrontend()
    {
        // Frontend keys given first to the config still come after admin and backend in the ring.
        var config = new ApiKeysConfig { Frontend = ["f"], Backend = ["b"], Admin = ["a"] };
        ApiKeyRing ring = ApiKeyRing.FromConfig(config);

        Assert.Equal(3, ring.Count);
        Assert.Equal(new ApiKeyMatch(ApiRole.Admin, 0), ring.Lookup("a"u8));
        Assert.Equal(new ApiKeyMatch(ApiRole.Backend, 1), ring.Lookup("b"u8));
        Assert.Equal(new ApiKeyMatch(ApiRole.Frontend, 2), ring.Lookup("f"u8));
    }

    [Fact]
    public void NonUtf8BytesAreSimplyUnknown()
    {
        Assert.Equal(ApiRole.None, s_ring.Lookup([0xFF, 0xFE, 0x00]).Role);
    }

    [Fact]
    public void AKeyInTwoRolesIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ApiKeyRing(["dup-secret-1"], [], ["dup-secret-1"]));

        // The message must not echo the key: it is a secret.
        Assert.DoesNotContain("dup-secret-1", ex.Message);
    }

    [Fact]
    public void EmptyKeysAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new ApiKeyRing([], [""], []));
    }

    [Fact]
    public void EmptyRingMatchesNothing()
    {
        var ring = new ApiKeyRing([], [], []);

        Assert.Equal(0, ring.Count);
        Assert.False(ring.Lookup("anything"u8).IsMatch);
    }
}
