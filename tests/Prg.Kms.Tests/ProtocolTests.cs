// Every endpoint of the key service over its real Unix socket: statuses, JSON shapes and errors.
using System.Text.Json;
using Prg.Crypto;
using static Prg.Kms.Tests.Json;

namespace Prg.Kms.Tests;

public sealed class ProtocolTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.StartAsync(maxBodyBytes: 64 * 1024);

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Fact]
    public async Task Healthz_AnswersOkWithTheCurrentKekId()
    {
        (int status, JsonElement body) = await _kms.SendAsync("GET", "/healthz");
        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(_kms.Service.CurrentKekId, body.GetProperty("kek_id").GetString());
    }

    [Fact]
    public void SocketFile_IsCreatedWithMode0600()
    {
        UnixFileMode mode = File.GetUnixFileMode(_kms.SocketPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task CreateDek_ReturnsTheSeedFields_AndIsIdempotent()
    {
        (int status, JsonElement first) = await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t1"}""");
        Assert.Equal(200, status);
        Assert.Equal("dek_t1", first.GetProperty("key_id").GetString());
        Assert.Equal(WrappedDekFrame.Length, first.GetProperty("wrapped").GetBytesFromBase64().Length);
        Assert.Equal(_kms.Service.CurrentKekId, first.GetProperty("kek_id").GetString());
        Assert.Equal(1u, first.GetProperty("kek_version").GetUInt32());
        ThreadKeyMaterial material = ThreadKeyMaterial.Parse(first.GetProperty("material").GetRawText());
        Assert.Equal("dek_t1", material.KeyId);

        (int again, JsonElement second) = await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t1"}""");
        Assert.Equal(200, again);
        Assert.Equal(first.GetProperty("wrapped").GetString(), second.GetProperty("wrapped").GetString());
        Assert.Equal(1, _kms.Service.Store.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"thread_id":5}""")]
    [InlineData("""{"thread_id":""}""")]
    [InlineData("""{"thread_id":"a""")]
    [InlineData("[1]")]
    public async Task CreateDek_RefusesBadBodiesWith400(string body)
    {
        (int status, JsonElement error) = await _kms.PostAsync("/create_dek_for_thread", body);
        Assert.Equal(400, status);
        Assert.Equal(KmsProtocol.ErrorCodes.BadRequest, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task EncryptThenDecrypt_RoundTripsWithTheAadBound()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t2"}""");
        string aad = Aad("t2", "m1:v1");
        (int status, JsonElement encrypted) = await _kms.PostAsync("/encrypt", $$"""{"key_id":"dek_t2","plaintext":"{{B64("hello")}}","aad":{{aad}}}""");
        Assert.Equal(200, status);
        Assert.Equal(1u, encrypted.GetProperty("key_version").GetUInt32());
        string ciphertext = encrypted.GetProperty("ciphertext").GetString()!;
        Assert.Equal(1, Convert.FromBase64String(ciphertext)[0]); // a data frame

        (int ok, JsonElement decrypted) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_t2","ciphertext":"{{ciphertext}}","aad":{{aad}}}""");
        Assert.Equal(200, ok);
        Assert.Equal("hello", Text(decrypted, "plaintext"));

        (int moved, JsonElement error) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_t2","ciphertext":"{{ciphertext}}","aad":{{Aad("t2", "m2:v1")}}}""");
        Assert.Equal(400, moved);
        Assert.Equal(KmsProtocol.ErrorCodes.FrameAuthentication, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task EncryptWithoutAad_IsBoundToTheKeysThreadAndDefaultRecord()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t3"}""");
        (_, JsonElement encrypted) = await _kms.PostAsync("/encrypt", $$"""{"key_id":"dek_t3","plaintext":"{{B64("x")}}"}""");
        string ciphertext = encrypted.GetProperty("ciphertext").GetString()!;

        (int plain, JsonElement decrypted) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_t3","ciphertext":"{{ciphertext}}"}""");
        Assert.Equal(200, plain);
        Assert.Equal("x", Text(decrypted, "plaintext"));

        (int explicitDefault, _) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_t3","ciphertext":"{{ciphertext}}","aad":{{Aad("t3", KmsProtocol.DefaultRecordId)}}}""");
        Assert.Equal(200, explicitDefault);
    }

    [Fact]
    public async Task UnknownKeyId_Gives404OnEveryKeyEndpoint()
    {
        (int encrypt, JsonElement error) = await _kms.PostAsync("/encrypt", $$"""{"key_id":"dek_nope","plaintext":"{{B64("x")}}"}""");
        Assert.Equal(404, encrypt);
        Assert.Equal(KmsProtocol.ErrorCodes.UnknownKey, error.GetProperty("code").GetString());

        var frame = new byte[DataFrame.Overhead + 1];
        frame[0] = DataFrame.FormatV1;
        frame[4] = 1;
        (int decrypt, _) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_nope","ciphertext":"{{B64(frame)}}"}""");
        Assert.Equal(404, decrypt);
        (int wrapped, _) = await _kms.SendAsync("GET", "/get_wrapped?key_id=dek_nope");
        Assert.Equal(404, wrapped);
        (int rotate, _) = await _kms.PostAsync("/rotate_dek", """{"key_id":"dek_nope"}""");
        Assert.Equal(404, rotate);
    }

    [Fact]
    public async Task BadBase64_Gives400NamingTheField()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t4"}""");
        (int encrypt, JsonElement error) = await _kms.PostAsync("/encrypt", """{"key_id":"dek_t4","plaintext":"not base64!"}""");
        Assert.Equal(400, encrypt);
        Assert.Contains("plaintext", error.GetProperty("error").GetString());
        (int decrypt, JsonElement error2) = await _kms.PostAsync("/decrypt", """{"key_id":"dek_t4","ciphertext":"%%%"}""");
        Assert.Equal(400, decrypt);
        Assert.Contains("ciphertext", error2.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GarbageCiphertext_Gives400MalformedFrame()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t5"}""");
        (int status, JsonElement error) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_t5","ciphertext":"{{B64("short")}}"}""");
        Assert.Equal(400, status);
        Assert.Equal(KmsProtocol.ErrorCodes.MalformedFrame, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetWrapped_ReturnsTheStoredWrappedDek_AndNeedsKeyId()
    {
        (_, JsonElement created) = await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"t 6"}""");
        (int status, JsonElement body) = await _kms.SendAsync("GET", "/get_wrapped?key_id=dek_t%206");
        Assert.Equal(200, status);
        Assert.Equal(created.GetProperty("wrapped").GetString(), body.GetProperty("wrapped").GetString());
        (int missing, _) = await _kms.SendAsync("GET", "/get_wrapped");
        Assert.Equal(400, missing);
    }

    [Fact]
    public async Task Batches_AnswerInOrderWithPerItemErrors()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"b1"}""");
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"b2"}""");
        string items = string.Join(",", Enumerable.Range(0, 5).Select(i =>
            $$"""{"key_id":"{{(i % 2 == 0 ? "dek_b1" : "dek_b2")}}","plaintext":"{{B64("p" + i)}}","aad":{{Aad(i % 2 == 0 ? "b1" : "b2", "m" + i)}}}"""));
        items += $$""",{"key_id":"dek_missing","plaintext":"{{B64("z")}}"}""";
        (int status, JsonElement encrypted) = await _kms.PostAsync("/encrypt_batch", $$"""{"items":[{{items}}]}""");
        Assert.Equal(200, status);
        JsonElement[] results = [.. encrypted.GetProperty("items").EnumerateArray()];
        Assert.Equal(6, results.Length);
        Assert.Equal(KmsProtocol.ErrorCodes.UnknownKey, results[5].GetProperty("code").GetString());

        // Decrypt them back, with item 3 tampered: only that item fails.
        var decryptItems = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            byte[] frame = results[i].GetProperty("ciphertext").GetBytesFromBase64();
            if (i == 3)
            {
                frame[^1] ^= 0x40;
            }

            decryptItems.Add($$"""{"key_id":"{{(i % 2 == 0 ? "dek_b1" : "dek_b2")}}","ciphertext":"{{B64(frame)}}","aad":{{Aad(i % 2 == 0 ? "b1" : "b2", "m" + i)}}}""");
        }

        (int ok, JsonElement decrypted) = await _kms.PostAsync("/decrypt_batch", $$"""{"items":[{{string.Join(",", decryptItems)}}]}""");
        Assert.Equal(200, ok);
        JsonElement[] plain = [.. decrypted.GetProperty("items").EnumerateArray()];
        Assert.Equal(5, plain.Length);
        for (int i = 0; i < 5; i++)
        {
            if (i == 3)
            {
                Assert.Equal(KmsProtocol.ErrorCodes.FrameAuthentication, plain[i].GetProperty("code").GetString());
            }
            else
            {
                Assert.Equal("p" + i, Text(plain[i], "plaintext"));
            }
        }
    }

    [Fact]
    public async Task Batch_TopLevelKeyIdAppliesToItemsWithoutOne()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"b3"}""");
        (int status, JsonElement encrypted) = await _kms.PostAsync("/encrypt_batch", $$"""{"items":[{"plaintext":"{{B64("a")}}"}],"key_id":"dek_b3"}""");
        Assert.Equal(200, status);
        string ciphertext = encrypted.GetProperty("items")[0].GetProperty("ciphertext").GetString()!;
        (int ok, JsonElement decrypted) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_b3","ciphertext":"{{ciphertext}}"}""");
        Assert.Equal(200, ok);
        Assert.Equal("a", Text(decrypted, "plaintext"));

        (int missing, _) = await _kms.PostAsync("/encrypt_batch", $$"""{"items":[{"plaintext":"{{B64("a")}}"}]}""");
        Assert.Equal(400, missing);
    }

    [Fact]
    public async Task OversizedBody_Gives413()
    {
        string big = $$"""{"key_id":"dek_x","plaintext":"{{B64(new byte[100 * 1024])}}"}""";
        (int status, _) = await _kms.PostAsync("/encrypt", big);
        Assert.Equal(413, status);
    }

    [Fact]
    public async Task UnknownPath_Gives404_AndWrongMethod405WithAllow()
    {
        (int notFound, JsonElement error) = await _kms.SendAsync("GET", "/nope");
        Assert.Equal(404, notFound);
        Assert.Equal(KmsProtocol.ErrorCodes.NotFound, error.GetProperty("code").GetString());
        (int status, string raw) = await _kms.SendRawAsync("GET /encrypt HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal(405, status);
        Assert.Contains("method_not_allowed", raw);
    }

    [Fact]
    public async Task RotateDek_NewWritesUseTheNewVersion_OldFramesStillDecrypt()
    {
        await _kms.PostAsync("/create_dek_for_thread", """{"thread_id":"r1"}""");
        (_, JsonElement before) = await _kms.PostAsync("/encrypt", $$"""{"key_id":"dek_r1","plaintext":"{{B64("old")}}"}""");
        (int status, JsonElement rotated) = await _kms.PostAsync("/rotate_dek", """{"key_id":"dek_r1"}""");
        Assert.Equal(200, status);
        Assert.Equal(2u, rotated.GetProperty("dek_version").GetUInt32());
        (_, JsonElement after) = await _kms.PostAsync("/encrypt", $$"""{"key_id":"dek_r1","plaintext":"{{B64("new")}}"}""");
        Assert.Equal(2u, after.GetProperty("key_version").GetUInt32());

        (_, JsonElement old) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"dek_r1","ciphertext":"{{before.GetProperty("ciphertext").GetString()}}"}""");
        Assert.Equal("old", Text(old, "plaintext"));
    }

    [Fact]
    public async Task RotateKek_RewrapsEveryKey_DataStillDecrypts_AndSameKeyIsRefused()
    {
        var frames = new List<(string KeyId, string Ciphertext)>();
        for (int i = 0; i < 5; i++)
        {
            await _kms.PostAsync("/create_dek_for_thread", $$"""{"thread_id":"k{{i}}"}""");
            (_, JsonElement e) = await _kms.PostAsync("/encrypt", $$"""{"key_id":"dek_k{{i}}","plaintext":"{{B64("v" + i)}}"}""");
            frames.Add(("dek_k" + i, e.GetProperty("ciphertext").GetString()!));
        }

        string oldKek = _kms.Service.CurrentKekId;
        (int same, _) = await _kms.PostAsync("/rotate_kek", $$"""{"master_key_file":{{JsonSerializer.Serialize(_kms.MasterKeyFile)}}}""");
        Assert.Equal(409, same);

        string newKey = _kms.NewKeyFile("new.key");
        (int status, JsonElement started) = await _kms.PostAsync("/rotate_kek", $$"""{"master_key_file":{{JsonSerializer.Serialize(newKey)}}}""");
        Assert.Equal(202, status);
        Assert.Equal(2u, started.GetProperty("kek_version").GetUInt32());
        await _kms.Service.Rotation.Sweep;

        (int ok, JsonElement report) = await _kms.SendAsync("GET", "/rotate_kek/status");
        Assert.Equal(200, ok);
        Assert.Equal("completed", report.GetProperty("state").GetString());
        Assert.Equal(5, report.GetProperty("done").GetInt64());
        Assert.Equal(0, report.GetProperty("previous_kek_ids").GetArrayLength());
        foreach ((string keyId, string ciphertext) in frames)
        {
            (_, JsonElement wrapped) = await _kms.SendAsync("GET", "/get_wrapped?key_id=" + keyId);
            Assert.NotEqual(oldKek, wrapped.GetProperty("kek_id").GetString());
            Assert.Equal(2u, wrapped.GetProperty("kek_version").GetUInt32());
            (int decrypted, _) = await _kms.PostAsync("/decrypt", $$"""{"key_id":"{{keyId}}","ciphertext":"{{ciphertext}}"}""");
            Assert.Equal(200, decrypted);
        }
    }

    [Fact]
    public async Task RotateKek_WithALooseKeyFile_Gives400()
    {
        string loose = _kms.NewKeyFile("loose.key");
        File.SetUnixFileMode(loose, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        (int status, JsonElement error) = await _kms.PostAsync("/rotate_kek", $$"""{"master_key_file":{{JsonSerializer.Serialize(loose)}}}""");
        Assert.Equal(400, status);
        Assert.Contains("chmod 600", error.GetProperty("error").GetString());
    }
}
