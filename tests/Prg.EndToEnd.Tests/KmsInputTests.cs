// `prg kms` (the AOT binary) refuses invalid UTF-8 and unpaired surrogate escapes in every field with
// 400 bad_request, as docs/kms-protocol.md promises (they were 500), and a seeded fuzz of encrypt and
// decrypt bodies never gets a 5xx.
using System.Text;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class KmsInputTests
{
    private static async Task<KmsProcess> StartKmsAsync()
    {
        var work = PrgProcess.NewDirectory();
        var kms = new KmsProcess(work, EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex));
        await kms.StartAsync();
        return kms;
    }

    private static async Task<RawResponse> PostAsync(KmsProcess kms, string path, byte[] body)
    {
        using var client = new RawClient(kms.SocketPath);
        await client.WriteAsync([.. Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]);
        return await client.ReadResponseAsync();
    }

    private static async Task<JsonNode> PostOkAsync(KmsProcess kms, string path, string body)
    {
        var response = await PostAsync(kms, path, Encoding.UTF8.GetBytes(body));
        Assert.True(response.Status == 200, $"{path}: {response.Status} {response.Body}");
        return JsonNode.Parse(response.Body)!;
    }

    private static byte[] Bytes(string before, byte[] middle, string after) => [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)];

    [Fact]
    public async Task InvalidUnicodeInEveryFieldIsA400BadRequest()
    {
        await using var kms = await StartKmsAsync();
        var keyId = (await PostOkAsync(kms, "/create_dek_for_thread", """{"thread_id":"t1"}"""))["key_id"]!.GetValue<string>();
        const string Aad = """{"thread_id":"t1","record_id":"r"}""";
        var ciphertext = (await PostOkAsync(kms, "/encrypt", $$"""{"key_id":"{{keyId}}","plaintext":"aGk=","aad":{{Aad}}}"""))["ciphertext"]!.GetValue<string>();
        byte[] invalidUtf8 = [0xC3, 0x28];
        var cases = new (string Path, byte[] Body)[]
        {
            ("/create_dek_for_thread", Bytes("""{"thread_id":"a""", invalidUtf8, "\"}")),
            ("/create_dek_for_thread", Encoding.UTF8.GetBytes("""{"thread_id":"a\ud800"}""")),
            ("/create_dek_for_thread", Encoding.UTF8.GetBytes("""{"\udc00":1,"thread_id":"t2"}""")),
            ("/encrypt", Bytes("""{"key_id":"dek_""", invalidUtf8, "\",\"plaintext\":\"aGk=\"}")),
            ("/encrypt", Encoding.UTF8.GetBytes("""{"key_id":"dek_\udc00","plaintext":"aGk="}""")),
            ("/encrypt", Encoding.UTF8.GetBytes($$"""{"key_id":"{{keyId}}","plaintext":"aG\ud800k="}""")),
            ("/encrypt", Bytes($$"""{"key_id":"{{keyId}}","plaintext":"aGk=","aad":{"thread_id":"t""", invalidUtf8, "\",\"record_id\":\"r\"}}")),
            ("/encrypt", Encoding.UTF8.GetBytes($$$"""{"key_id":"{{{keyId}}}","plaintext":"aGk=","aad":{"thread_id":"t1","record_id":"\udfff"}}""")),
            ("/decrypt", Encoding.UTF8.GetBytes($$$"""{"key_id":"{{{keyId}}}","ciphertext":"{{{ciphertext}}}","aad":{"thread_id":"\ud800","record_id":"r"}}""")),
            ("/decrypt", Encoding.UTF8.GetBytes($$"""{"key_id":"{{keyId}}","ciphertext":"\udc00{{ciphertext}}","aad":{{Aad}}}""")),
            ("/encrypt_batch", Encoding.UTF8.GetBytes($$$"""{"key_id":"{{{keyId}}}","items":[{"plaintext":"aGk=","aad":{"thread_id":"t1","\ud800":"r"}}]}""")),
            ("/rotate_dek", Encoding.UTF8.GetBytes("""{"key_id":"\ud800"}""")),
        };
        foreach (var (path, body) in cases)
        {
            var response = await PostAsync(kms, path, body);
            var shown = Encoding.UTF8.GetString(body);
            Assert.True(response.Status == 400, $"{path} {shown}: {response.Status} {response.Body}");
            var json = JsonNode.Parse(response.Body)!;
            Assert.Equal("bad_request", json["code"]!.GetValue<string>());
            Assert.Matches("not valid (UTF-8|Unicode|base64)", json["error"]!.GetValue<string>());
        }
        // Syntax errors are described in the service's own words.
        var malformed = await PostAsync(kms, "/encrypt", "{\"key_id\":"u8.ToArray());
        Assert.Equal(400, malformed.Status);
        Assert.Contains("the request body is not valid JSON (syntax error at line 1", malformed.Body);
        Assert.DoesNotContain("Path:", malformed.Body);
        // The key is still usable.
        Assert.Equal("aGk=", (await PostOkAsync(kms, "/decrypt", $$"""{"key_id":"{{keyId}}","ciphertext":"{{ciphertext}}","aad":{{Aad}}}"""))["plaintext"]!.GetValue<string>());
    }

    [Fact]
    public async Task FuzzedEncryptAndDecryptBodiesNeverGetA5xx()
    {
        await using var kms = await StartKmsAsync();
        var keyId = (await PostOkAsync(kms, "/create_dek_for_thread", """{"thread_id":"fuzz"}"""))["key_id"]!.GetValue<string>();
        const string Aad = """{"thread_id":"fuzz","record_id":"r\u00e9"}""";
        var ciphertext = (await PostOkAsync(kms, "/encrypt", $$"""{"key_id":"{{keyId}}","plaintext":"aGVsbG8=","aad":{{Aad}}}"""))["ciphertext"]!.GetValue<string>();
        var seeds = new[]
        {
            ("/encrypt", Encoding.UTF8.GetBytes($$"""{"key_id":"{{keyId}}","plaintext":"aGVsbG8=","aad":{{Aad}}}""")),
            ("/decrypt", Encoding.UTF8.GetBytes($$"""{"key_id":"{{keyId}}","ciphertext":"{{ciphertext}}","aad":{{Aad}}}""")),
            ("/encrypt_batch", Encoding.UTF8.GetBytes($$"""{"key_id":"{{keyId}}","items":[{"plaintext":"aGk=","aad":{{Aad}}},{"plaintext":""}]}""")),
            ("/decrypt_batch", Encoding.UTF8.GetBytes($$"""{"items":[{"key_id":"{{keyId}}","ciphertext":"{{ciphertext}}","aad":{{Aad}}}]}""")),
        };
        var mutator = new JsonMutator(seed: 20261201);
        var requests = Enumerable.Range(0, 1200).Select(i => (seeds[i % seeds.Length].Item1, mutator.Mutate(seeds[i % seeds.Length].Item2))).ToList();
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
        {
            var response = await PostAsync(kms, request.Item1, request.Item2);
            lock (statuses)
            {
                statuses[response.Status] = statuses.GetValueOrDefault(response.Status) + 1;
                if (response.Status >= 500)
                {
                    failures.Add($"{request.Item1} {Convert.ToBase64String(request.Item2)}: {response.Status} {response.Body}");
                }
            }
        });
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        // The fuzz reached both sides: some bodies were still good, most were refused.
        Assert.True(statuses.GetValueOrDefault(200) > 0 && statuses.GetValueOrDefault(400) > 0, string.Join(", ", statuses));
    }
}
