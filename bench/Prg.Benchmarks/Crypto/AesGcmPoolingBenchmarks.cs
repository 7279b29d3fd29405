// Why DEKs keep a pool of AesGcm: a 1 KB frame encrypted with an instance rented from the pool
// versus one created (and disposed) for each call.
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Prg.Crypto;

namespace Prg.Benchmarks.Crypto;

[MemoryDiagnoser]
public class AesGcmPoolingBenchmarks
{
    private readonly RecordAad _aad = new("thread-0123456789", "1700000000000000000-000001:v1");
    private byte[] _key = null!;
    private AesGcmPool _pool = null!;
    private byte[] _plaintext = null!;
    private byte[] _frame = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = RandomNumberGenerator.GetBytes(32);
        _pool = new AesGcmPool(_key, 4);
        _plaintext = RandomNumberGenerator.GetBytes(1024);
        _frame = new byte[DataFrame.GetEncryptedLength(1024)];
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true)]
    public int PooledEncrypt1K()
    {
        using AesGcmLease lease = _pool.Rent();
        return DataFrame.Encrypt(lease.Aes, 1, _aad, _plaintext, _frame);
    }

    [Benchmark]
    public int FreshAesGcmEncrypt1K()
    {
        using var aes = new AesGcm(_key, DataFrame.TagLength);
        return DataFrame.Encrypt(aes, 1, _aad, _plaintext, _frame);
    }
}
