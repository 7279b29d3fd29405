// UserId: length limits for acting users (128) and for /sign (36), UTF-8 validity and control characters.
using System.Text;
using Prg.Api.Auth;

namespace Prg.Api.Tests.Auth;

public class UserIdTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("a")]
    [InlineData("user:with:colons")]
    [InlineData("ünïcödé 名前 \U0001F600")]
    [InlineData("spaces are fine")]
    public void AcceptsOrdinaryIds(string id)
    {
        Assert.Equal(UserIdError.None, UserId.Validate(Encoding.UTF8.GetBytes(id)));
    }

    [Fact]
    public void LengthLimitIsInBytesNotCharacters()
    {
        Assert.Equal(UserIdError.None, UserId.Validate(Encoding.UTF8.GetBytes(new string('x', 128))));
        Assert.Equal(UserIdError.TooLong, UserId.Validate(Encoding.UTF8.GetBytes(new string('x', 129))));

        // 43 three-byte characters = 129 bytes, although only 43 characters.
        Assert.Equal(UserIdError.TooLong, UserId.Validate(Encoding.UTF8.GetBytes(new string('中', 43))));
        Assert.Equal(UserIdError.None, UserId.Validate(Encoding.UTF8.GetBytes(new string('中', 42))));
    }

    [Fact]
    public void SigningIdsAreLimitedTo36Bytes()
    {
        Assert.Equal(UserIdError.None, UserId.ValidateForSigning(Encoding.UTF8.GetBytes(new string('x', 36))));
        Assert.Equal(UserIdError.TooLong, UserId.ValidateForSigning(Encoding.UTF8.GetBytes(new string('x', 37))));
        Assert.Equal(UserIdError.Empty, UserId.ValidateForSigning([]));
        Assert.Equal(UserIdError.ControlCharacter, UserId.ValidateForSigning("a\tb"u8));
    }

    [Fact]
    public void EmptyIdIsRejected()
    {
        Assert.Equal(UserIdError.Empty, UserId.Validate([]));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x00 })]
    [InlineData(new byte[] { 0x61, 0x0A })]
    [InlineData(new byte[] { 0x1F })]
    [InlineData(new byte[] { 0x7F })]
    [InlineData(new byte[] { 0x61, 0xC2, 0x85 })]
    [InlineData(new byte[] { 0xC2, 0x9F })]
    public void ControlCharactersAreRejected(byte[] id)
    {
        Assert.Equal(UserIdError.ControlCharacter, UserId.Validate(id));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x61, 0xC3 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    public void InvalidUtf8IsRejected(byte[] id)
    {
        Assert.Equal(UserIdError.InvalidUtf8, UserId.Validate(id));
    }

    [Fact]
    public void DescribeGivesClientMessages()
    {
        Assert.Equal("user id must be at most 128 bytes", UserId.Describe(UserIdError.TooLong));
        Assert.Equal("user id must be at most 36 bytes", UserId.Describe(UserIdError.TooLong, forSigning: true));
        Assert.Equal("user id must not contain control characters", UserId.Describe(UserIdError.ControlCharacter));
        Assert.Throws<ArgumentOutOfRangeException>(() => UserId.Describe((UserIdError)99));
    }
}
