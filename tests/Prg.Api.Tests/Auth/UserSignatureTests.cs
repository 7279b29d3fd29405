// UserSignature: known-answer vectors (openssl and the BCL HMAC), verification against any key, and rejection
// of wrong, malformed or truncated signatures.
using System.Security.Cryptography;
using System.Text;
using Prg.Api.Auth;
using Prg.Api.Config;

namespace Prg.Api.Tests.Auth;

public class UserSignatureTests
{
    // printf 'alice' | openssl dgst -sha256 -hmac 'sign_example'
    private const string AliceUnderSignExample = "60f3af1dbeeb5f5088549b4ca3a129620fa4388acbe7cbf63d201c2ea8f01e3e";

    // printf 'user-42' | openssl dgst -sha256 -hmac 'second-key'
    private const string User42UnderSecondKey = "9b711c7cf55f4f29361f64fedadd1c3c79578b10fe0fb6bb1e6fa714366f1211";

    [Fact]
    public void SignMatchesOpensslVector()
    {
        var signer = new UserSignature(["sign_example"]);

        Assert.Equal(AliceUnderSignExample, signer.Sign("alice"));
    }

    [Theory]
    [InlineData("k", "bob")]
    [InlineData("a much longer signing key with spaces and ünïcode", "user@example.com")]
    [InlineData("key", "名前")]
    public void SignMatchesBclHmacAsLowercaseHex(string key, string userId)
    {
        var signer = new UserSignature([key]);
        string expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(userId)));

        Assert.Equal(expected, signer.Sign(userId));

        Span<byte> hex = stackalloc byte[UserSignature.HexLength];
        signer.Sign(Encoding.UTF8.GetBytes(userId), hex);
        Assert.Equal(expected, Encoding.ASCII.GetString(hex));
    }

    [Fact]
    public void SignUsesTheFirstKey()
    {
        var signer = UserSignature.FromConfig(new ApiKeysConfig { Signing = ["sign_example", "second-key"] });

        Assert.Equal(AliceUnderSignExample, signer.Sign("alice"));
    }

    [Fact]
    public void VerifyAcceptsASignatureFromAnyConfiguredKey()
    {
        var signer = new UserSignature(["sign_example", "second-key"]);

        Assert.True(signer.Verify("alice"u8, Encoding.ASCII.GetBytes(AliceUnderSignExample)));
        Assert.True(signer.Verify("user-42"u8, Encoding.ASCII.GetBytes(User42UnderSecondKey)));
    }

    [Fact]
    public void VerifyAcceptsUppercaseHex()
    {
        var signer = new UserSignature(["sign_example"]);

        Assert.True(signer.Verify("alice"u8, Encoding.ASCII.GetBytes(AliceUnderSignExample.ToUpperInvariant())));
    }

    [Fact]
    public void VerifyRejectsASignatureForAnotherUser()
    {
        var signer = new UserSignature(["sign_example"]);

        Assert.False(signer.Verify("alicf"u8, Encoding.ASCII.GetBytes(AliceUnderSignExample)));
        Assert.False(signer.Verify("alice "u8, Encoding.ASCII.GetBytes(AliceUnderSignExample)));
    }

    [Fact]
    public void VerifyRejectsASignatureMadeWithAnUnconfiguredKey()
    {
        var signer = new UserSignature(["other-key"]);

        Assert.False(signer.Verify("alice"u8, Encoding.ASCII.GetBytes(AliceUnderSignExample)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("60f3af1dbeeb5f5088549b4ca3a129620fa4388acbe7cbf63d201c2ea8f01e3")]
    [InlineData("60f3af1dbeeb5f5088549b4ca3a129620fa4388acbe7cbf63d201c2ea8f01e3e0")]
    [InlineData("60f3af1dbeeb5f5088549b4ca3a129620fa4388acbe7cbf63d201c2ea8f01e3g")]
    [InlineData("60f3af1dbeeb5f5088549b4ca3a129620fa4388acbe7cbf63d201c2ea8f01e3f")]
    [InlineData(" 60f3af1dbeeb5f5088549b4ca3a129620fa4388acbe7cbf63d201c2ea8f01e3")]
    public void VerifyRejectsMalformedOrAlteredSignatures(string presented)
    {
        var signer = new UserSignature(["sign_example"]);

        Assert.False(signer.Verify("alice"u8, Encoding.ASCII.GetBytes(presented)));
    }

    [Fact]
    public void WithoutKeysVerifyFailsAndSignThrows()
    {
        var signer = new UserSignature([]);

        Assert.False(signer.HasKeys);
        Assert.False(signer.Verify("alice"u8, Encoding.ASCII.GetBytes(AliceUnderSignExample)));
        Assert.Throws<InvalidOperationException>(() => signer.Sign("alice"));
    }

    [Fact]
    public void SignRejectsAShortDestination()
    {
        var signer = new UserSignature(["k"]);

        Assert.Throws<ArgumentException>(() => signer.Sign("a"u8, new byte[63]));
    }

    [Fact]
    public void EmptySigningKeyIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new UserSignature(["ok", ""]));
    }
}
