// Why each DEK keeps keyed OpenSSL contexts: a 1 KB frame through FrameKey (a pooled EVP context,
// key schedule done once) versus DataFrame over a reused AesGcm and over an AesGcm made per call.
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Prg.Crypto;

namespace Prg.Benchmarks.Crypto;

[MemoryDiagnoser]
public class FrameKeyPoolingBenchmarks
{
    private readonly RecordAad _aad = new("thread-0123456789", "1700000000000000000-000001:v1");
    private byte[] _key = null!;
    private FrameKey _frameKey = null!;
    private AesGcm _aes = null!;
    private byte[] _plaintext = null!;
    private byte[] _frame = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = RandomNumberGenerator.GetBytes(32);
        _frameKey = new FrameKey(_key, 4);
        _aes = new AesGcm(_key, DataFrame.TagLength);
        _plaintext = RandomNumberGenerator.GetBytes(1024);
        _frame = new byte[DataFrame.GetEncryptedLength(1024)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frameKey.Dispose();
        _aes.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int FrameKeyEncrypt1K() => _frameKey.Encrypt(1, _aad.ThreadId, _aad.RecordId, _plaintext, _frame);

    [Benchmark]
    public int ReusedAesGcmEncrypt1K() => DataFrame.Encrypt(_aes, 1, _aad, _plaintext, _frame);

    [Benchmark]
    public int FreshAesGcmEncrypt1K()
    {
        using var aes = new AesGcm(_key, DataFrame.TagLength);
        return DataFrame.Encrypt(aes, 1, _aad, _plaintext, _frame);
    }
}
