// Request bodies whose text is not valid Unicode (invalid UTF-8, unpaired surrogate escapes in any
// field or property name) are a 400 bad_request naming the problem, never a 500; syntax errors are
// described in the service's own words.
using System.Text;
using System.Text.Json;
using Prg.Crypto;

namespace Prg.Kms.Tests;

public sealed class RequestTextTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync()
    {
        _kms = await KmsHarness.StartAsync();
        (int status, _) = await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t1"}""");
        Assert.Equal(200, status);
    }

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Theory]
    [InlineData("/create_dek_for_thread", """{"thread_id":"a\ud800"}""", "thread_id is not valid Unicode")]
    [InlineData("/create_dek_for_thread", """{"\udc00":1,"thread_id":"t"}""", "a property name is not valid Unicode")]
    [InlineData("/encrypt", """{"key_id":"dek_t1\udfff","plaintext":"aGk="}""", "key_id is not valid Unicode")]
    [InlineData("/encrypt", """{"key_id":"dek_t1","plaintext":"aG\ud800k="}""", "plaintext is not valid base64")]
    [InlineData("/encrypt", """{"key_id":"dek_t1","plaintext":"aGk=","aad":{"thread_id":"\ud800","record_id":"r"}}""", "aad.thread_id is not valid Unicode")]
    [InlineData("/encrypt", """{"key_id":"dek_t1","plaintext":"aGk=","aad":{"\ud800":"x","thread_id":"t1","record_id":"r"}}""", "a property name is not valid Unicode")]
    [InlineData("/decrypt_batch", """{"items":[{"key_id":"dek_t1","ciphertext":"\udc00"}]}""", "items[0].ciphertext is not valid base64")]
    [InlineData("/rotate_dek", """{"key_id":"\ud800"}""", "key_id is not valid Unicode")]
    public async Task UnpairedSurrogateEscapesAreA400NamingTheField(string path, string body, string error)
    {
        (int status, JsonElement json) = await _kms.PostAsync(path, body);
        Assert.Equal(400, status);
        Assert.Equal(KmsProtocol.ErrorCodes.BadRequest, json.GetProperty("code").GetString());
        Assert.StartsWith(error, json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/create_dek_for_thread", """{"thread_id":"a""", """b"}""")]
    [InlineData("/encrypt", "{\"key_id\":\"dek_t1\",\"plaintext\":\"aGk=\",\"aad\":{\"thread_id\":\"t1\",\"record_id\":\"", "\"}}")]
    public async Task InvalidUtf8IsA400(string path, string before, string after)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(after)];
        byte[] head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: kms\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        (int status, string text) = await _kms.SendRawAsync([.. head, .. body]);
        Assert.Equal(400, status);
        Assert.Equal("the request body is not valid UTF-8", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"thread_id":""", "the request body is not valid JSON (syntax error at line 1, column 14)")]
    [InlineData("{\n\"thread_id\" x}", "the request body is not valid JSON (syntax error at line 2, column 13)")]
    public async Task SyntaxErrorsAreDescribedInTheServicesOwnWords(string body, string error)
    {
        (int status, JsonElement json) = await _kms.PostAsync("/create_dek_for_thread", body);
        Assert.Equal(400, status);
        Assert.Equal(error, json.GetProperty("error").GetString());
    }
}
