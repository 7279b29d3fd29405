// The server's client against a real in-process key service: round trips, batches, coalescing of
// concurrent single calls, error mapping, and behaviour when the service is down or hung.
using System.Net.Sockets;
using System.Text;
using Prg.Crypto;

namespace Prg.Kms.Tests;

public sealed class ExternalKeyProviderTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;
    private ExternalKeyProvider _client = null!;

    public async Task InitializeAsync()
    {
        _kms = await KmsHarness.StartAsync();
        _client = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = _kms.Endpoint, Timeout = TimeSpan.FromSeconds(20) } /* not a timeout test: a loaded CI machine must not fail it */);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _kms.DisposeAsync();
    }

    [Fact]
    public async Task CreateEncryptDecrypt_RoundTripThroughTheService()
    {
        await _client.CheckHealthAsync();
        DekInfo info = await _client.CreateDekForThreadAsync("e1");
        Assert.Equal("dek_e1", info.KeyId);
        Assert.Equal(_kms.Service.CurrentKekId, info.KekId);
        DekInfo again = await _client.CreateDekForThreadAsync("e1");
        Assert.True(again.WrappedDek.Span.SequenceEqual(info.WrappedDek.Span));

        var aad = RecordAad.ForMessageVersion("e1", "1700-000001", 1);
        byte[] frame = await _client.EncryptAsync(info.KeyId, "secret"u8.ToArray(), aad);
        Assert.Equal(1u, DataFrame.ReadDekVersion(frame));
        byte[] plaintext = await _client.DecryptAsync(info.KeyId, frame, aad);
        Assert.Equal("secret", Encoding.UTF8.GetString(plaintext));

        DekInfo wrapped = await _client.GetWrappedAsync(info.KeyId);
        Assert.True(wrapped.WrappedDek.Span.SequenceEqual(info.WrappedDek.Span));
    }

    [Fact]
    public async Task Frames_AreTheSameFormatAsEmbeddedMode()
    {
        // The same master key in-process decrypts what the service encrypted: AAD bound identically.
        DekInfo info = await _client.CreateDekForThreadAsync("e2");
        var aad = RecordAad.ForTitle("e2");
        byte[] frame = await _client.EncryptAsync(info.KeyId, "title"u8.ToArray(), aad);

        var store = new MemoryDekStore();
        await store.SaveAsync(info.Material, default);
        await using var embedded = new EmbeddedKeyProvider(new KeyRing(MasterKey.FromFile(_kms.MasterKeyFile)), store);
        Assert.Equal("title", Encoding.UTF8.GetString(await embedded.DecryptAsync(info.KeyId, frame, aad)));
    }

    [Fact]
    public async Task Errors_MapToTheCryptoExceptions()
    {
        DekInfo info = await _client.CreateDekForThreadAsync("e3");
        var aad = new RecordAad("e3", "r");
        byte[] frame = await _client.EncryptAsync(info.KeyId, "x"u8.ToArray(), aad);

        var unknown = await Assert.ThrowsAsync<UnknownKeyException>(() => _client.EncryptAsync("dek_none", "x"u8.ToArray(), aad).AsTask());
        Assert.Equal(UnknownKeyReason.KeyId, unknown.Reason);
        await Assert.ThrowsAsync<FrameAuthenticationException>(() => _client.DecryptAsync(info.KeyId, frame, new RecordAad("e3", "other")).AsTask());
        await Assert.ThrowsAsync<MalformedFrameException>(() => _client.DecryptAsync(info.KeyId, new byte[3], aad).AsTask());
        await Assert.ThrowsAsync<UnknownKeyException>(() => _client.DecryptBatchAsync("dek_none", [(frame, aad)]).AsTask());
    }

    [Fact]
    public async Task Batches_AreOneRequest_InOrder_WithPerItemFailures()
    {
        DekInfo info = await _client.CreateDekForThreadAsync("e4");
        var items = Enumerable.Range(0, 50)
            .Select(i => ((ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes("message " + i), new RecordAad("e4", "m" + i)))
            .ToArray();

        long before = _client.RequestsSent;
        byte[][] frames = await _client.EncryptBatchAsync(info.KeyId, items);
        Assert.Equal(before + 1, _client.RequestsSent);

        frames[7][^2] ^= 1;
        var page = frames.Select((f, i) => ((ReadOnlyMemory<byte>)f, items[i].Item2)).ToArray();
        DecryptResult[] results = await _client.DecryptBatchAsync(info.KeyId, page);
        Assert.Equal(before + 2, _client.RequestsSent);
        for (int i = 0; i < 50; i++)
        {
            if (i == 7)
            {
                Assert.IsType<FrameAuthenticationException>(results[i].Error);
            }
            else
            {
                Assert.Equal("message " + i, Encoding.UTF8.GetString(results[i].Plaintext!));
            }
        }
    }

    [Fact]
    public async Task LargeBatches_AreSplitToTheConfiguredSize()
    {
        await using var small = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = _kms.Endpoint, MaxBatchItems = 10 });
        DekInfo info = await small.CreateDekForThreadAsync("e5");
        var items = Enumerable.Range(0, 25).Select(i => ((ReadOnlyMemory<byte>)new byte[] { (byte)i }, new RecordAad("e5", "m" + i))).ToArray();
        long before = small.RequestsSent;
        byte[][] frames = await small.EncryptBatchAsync(info.KeyId, items);
        Assert.Equal(before + 3, small.RequestsSent);
        DecryptResult[] back = await small.DecryptBatchAsync(info.KeyId, frames.Select((f, i) => ((ReadOnlyMemory<byte>)f, items[i].Item2)).ToArray());
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (byte)i), back.Select(r => r.Plaintext![0]));
    }

    [Fact]
    public async Task ConcurrentSingleCalls_AreCoalescedIntoFewerRequests()
    {
        DekInfo info = await _client.CreateDekForThreadAsync("e6");
        var aads = Enumerable.Range(0, 64).Select(i => new RecordAad("e6", "m" + i)).ToArray();

        long before = _client.RequestsSent;
        byte[][] frames = await Task.WhenAll(aads.Select(aad => Task.Run(() => _client.EncryptAsync(info.KeyId, Encoding.UTF8.GetBytes(aad.RecordId), aad).AsTask())));
        long encryptRequests = _client.RequestsSent - before;

        before = _client.RequestsSent;
        byte[][] plaintexts = await Task.WhenAll(frames.Select((f, i) => Task.Run(() => _client.DecryptAsync(info.KeyId, f, aads[i]).AsTask())));
        long decryptRequests = _client.RequestsSent - before;

        for (int i = 0; i < 64; i++)
        {
            Assert.Equal("m" + i, Encoding.UTF8.GetString(plaintexts[i]));
        }

        Assert.True(encryptRequests < 64, $"64 concurrent encrypts took {encryptRequests} requests");
        Assert.True(decryptRequests < 64, $"64 concurrent decrypts took {decryptRequests} requests");
        Assert.True(_client.CoalescedCalls > 0);
    }

    [Fact]
    public async Task CoalescedBatch_KeepsEachCallersOwnError()
    {
        await using var narrow = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = _kms.Endpoint, MaxConcurrentSingleCalls = 1 });
        DekInfo info = await narrow.CreateDekForThreadAsync("e7");
        var aad = new RecordAad("e7", "r");
        byte[] frame = await narrow.EncryptAsync(info.KeyId, "ok"u8.ToArray(), aad);
        Task<byte[]>[] calls = Enumerable.Range(0, 20)
            .Select(i => narrow.DecryptAsync(i % 2 == 0 ? info.KeyId : "dek_missing", frame, aad).AsTask())
            .ToArray();
        for (int i = 0; i < calls.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.Equal("ok", Encoding.UTF8.GetString(await calls[i]));
            }
            else
            {
                await Assert.ThrowsAsync<UnknownKeyException>(() => calls[i]);
            }
        }
    }

    [Fact]
    public async Task ServiceDown_GivesKeyServiceUnavailable_AndTheSameClientRecoversWhenItIsBack()
    {
        DekInfo info = await _client.CreateDekForThreadAsync("e8");
        var aad = new RecordAad("e8", "r");
        byte[] frame = await _client.EncryptAsync(info.KeyId, "v"u8.ToArray(), aad);

        await _kms.StopAsync();
        var down = await Assert.ThrowsAsync<KeyServiceUnavailableException>(() => _client.DecryptAsync(info.KeyId, frame, aad).AsTask());
        Assert.Contains(_kms.SocketPath, down.Message);
        await Assert.ThrowsAsync<KeyServiceUnavailableException>(() => _client.EncryptAsync(info.KeyId, "w"u8.ToArray(), aad).AsTask());
        await Assert.ThrowsAsync<KeyServiceUnavailableException>(() => _client.CheckHealthAsync().AsTask());

        await _kms.RestartAsync();
        Assert.Equal("v", Encoding.UTF8.GetString(await _client.DecryptAsync(info.KeyId, frame, aad)));
        Assert.NotNull(await _client.EncryptAsync(info.KeyId, "w"u8.ToArray(), aad));
    }

    [Fact]
    public async Task HungService_TimesOutWithKeyServiceUnavailable()
    {
        using var dir = new TempDir();
        string path = dir.File("hung.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(16); // accepts into the backlog, never answers

        await using var client = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = "unix:" + path, Timeout = TimeSpan.FromMilliseconds(300) });
        var e = await Assert.ThrowsAsync<KeyServiceUnavailableException>(() => client.DecryptAsync("dek_x", new byte[40], new RecordAad("x", "r")).AsTask());
        Assert.Contains("did not answer within", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("unix:")]
    [InlineData("localhost")]
    [InlineData("host:notaport")]
    public void BadEndpoint_IsRefusedUpFront(string endpoint)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = endpoint }));
    }
}
