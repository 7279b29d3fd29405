// The embedded provider's single-call path for a cached key (cache lookup, pool lease, output
// array) and a 50-frame page decrypt, at 1 KB.
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Prg.Crypto;

namespace Prg.Benchmarks.Crypto;

[MemoryDiagnoser]
public class EmbeddedProviderBenchmarks
{
    private readonly RecordAad _aad = new("t1", "1700000000000000000-000001:v1");
    private EmbeddedKeyProvider _provider = null!;
    private string _keyId = null!;
    private byte[] _plaintext = null!;
    private byte[] _frame = null!;
    private (ReadOnlyMemory<byte> Frame, RecordAad Aad)[] _page = null!;

    [GlobalSetup]
    public void Setup()
    {
        var store = new MemoryDekStore();
        _provider = new EmbeddedKeyProvider(new KeyRing(MasterKey.Generate()), store);
        DekInfo info = _provider.CreateDekForThreadAsync("t1").AsTask().GetAwaiter().GetResult();
        store.Put(info.Material);
        _keyId = info.KeyId;
        _plaintext = RandomNumberGenerator.GetBytes(1024);
        _frame = _provider.EncryptAsync(_keyId, _plaintext, _aad).AsTask().GetAwaiter().GetResult();
        _page = new (ReadOnlyMemory<byte>, RecordAad)[50];
        for (int i = 0; i < _page.Length; i++)
        {
            var aad = new RecordAad("t1", $"m{i}:v1");
            _page[i] = (_provider.EncryptAsync(_keyId, _plaintext, aad).AsTask().GetAwaiter().GetResult(), aad);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public byte[] Encrypt1K() => _provider.EncryptAsync(_keyId, _plaintext, _aad).GetAwaiter().GetResult();

    [Benchmark]
    public byte[] Decrypt1K() => _provider.DecryptAsync(_keyId, _frame, _aad).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = 50)]
    public DecryptResult[] DecryptPageOf50() => _provider.DecryptBatchAsync(_keyId, _page).GetAwaiter().GetResult();
}
