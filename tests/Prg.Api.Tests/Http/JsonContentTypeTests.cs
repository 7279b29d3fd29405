// JsonContentType: which Content-Type values a JSON-body route takes (application/json, UTF-8 only).
using System.Text;
using Prg.Api.Http;

namespace Prg.Api.Tests.Http;

public class JsonContentTypeTests
{
    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("  application/json ; foo=bar ")]
    public void AcceptsJsonInUtf8(string contentType)
    {
        Assert.True(JsonContentType.IsJson(Encoding.ASCII.GetBytes(contentType)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/jsonx")]
    [InlineData("text/json")]
    [InlineData("application/json-patch+json")]
    public void RefusesEverythingElse(string contentType)
    {
        Assert.False(JsonContentType.IsJson(Encoding.ASCII.GetBytes(contentType)));
    }
}
