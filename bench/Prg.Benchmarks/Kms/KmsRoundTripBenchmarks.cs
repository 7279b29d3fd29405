// prgkms over a Unix socket, in one process: the single decrypt round trip (client -> HTTP/1.1 ->
// service -> AES-GCM -> back) and a decrypt_batch of a 50 x 200 B page. items/s = 50 / mean of
// DecryptBatch50 (OperationsPerInvoke reports per item).
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Prg.Crypto;
using Prg.Kms;

namespace Prg.Benchmarks.Kms;

[MemoryDiagnoser]
public class KmsRoundTripBenchmarks
{
    private readonly RecordAad _aad = new("bench", "m0:v1");
    private string _dir = null!;
    private KmsService _service = null!;
    private ExternalKeyProvider _client = null!;
    private string _keyId = null!;
    private byte[] _frame = null!;
    private (ReadOnlyMemory<byte> Frame, RecordAad Aad)[] _page = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine("/tmp", "pkb-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        string key = Path.Combine(_dir, "master.key");
        KeyFile.WriteNew(key);
        string socket = Path.Combine(_dir, "kms.sock");
        _service = KmsService.StartAsync(new KmsServiceOptions
        {
            SocketPath = socket,
            DataDirectory = Path.Combine(_dir, "data"),
            MasterKeyFile = key,
        }).GetAwaiter().GetResult();
        _client = new ExternalKeyProvider(new ExternalKeyProviderOptions { Endpoint = "unix:" + socket });
        _keyId = _client.CreateDekForThreadAsync("bench").AsTask().GetAwaiter().GetResult().KeyId;
        byte[] plaintext = RandomNumberGenerator.GetBytes(200);
        _frame = _client.EncryptAsync(_keyId, plaintext, _aad).AsTask().GetAwaiter().GetResult();
        _page = new (ReadOnlyMemory<byte>, RecordAad)[50];
        for (int i = 0; i < _page.Length; i++)
        {
            var aad = new RecordAad("bench", $"m{i}:v1");
            _page[i] = (_client.EncryptAsync(_keyId, plaintext, aad).AsTask().GetAwaiter().GetResult(), aad);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public byte[] DecryptSingle200B() => _client.DecryptAsync(_keyId, _frame, _aad).AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = 50)]
    public DecryptResult[] DecryptBatch50x200B() => _client.DecryptBatchAsync(_keyId, _page).AsTask().GetAwaiter().GetResult();
}
