// Data frame encrypt/decrypt at 64 B, 1 KB and 16 KB: through FrameKey (OpenSSL EVP, what the
// server uses), through one reused AesGcm (the reference path), and bare AesGcm, to compare with
// `openssl speed -evp aes-256-gcm`.
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Prg.Crypto;

namespace Prg.Benchmarks.Crypto;

[MemoryDiagnoser]
public class DataFrameBenchmarks
{
    private readonly RecordAad _aad = RecordAad.ForMessageVersion("thread-0123456789", "1700000000000000000-000001", 1);
    private AesGcm _aes = null!;
    private FrameKey _frameKey = null!;
    private byte[] _plaintext = null!;
    private byte[] _frame = null!;
    private byte[] _output = null!;

    [Params(64, 1024, 16384)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        _aes = new AesGcm(key, DataFrame.TagLength);
        _frameKey = new FrameKey(key, 2);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _frame = new byte[DataFrame.GetEncryptedLength(Size)];
        _output = new byte[Size];
        DataFrame.Encrypt(_aes, 1, _aad, _plaintext, _frame);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _frameKey.Dispose();
    }

    [Benchmark]
    public int FrameKeyEncrypt() => _frameKey.Encrypt(1, _aad.ThreadId, _aad.RecordId, _plaintext, _frame);

    [Benchmark]
    public int FrameKeyDecrypt() => _frameKey.Decrypt(_frame, _aad.ThreadId, _aad.RecordId, _output);

    [Benchmark]
    public int Encrypt() => DataFrame.Encrypt(_aes, 1, _aad, _plaintext, _frame);

    [Benchmark]
    public int Decrypt() => DataFrame.Decrypt(_aes, _frame, _aad, _output);

    // The floor: AesGcm alone (fixed nonce, no AAD, no framing), to separate frame overhead from
    // the per-call cost of .NET's AesGcm over OpenSSL.
    [Benchmark]
    public void RawAesGcmEncrypt() =>
        _aes.Encrypt(_frame.AsSpan(DataFrame.HeaderLength, DataFrame.NonceLength), _plaintext, _output, _frame.AsSpan(_frame.Length - DataFrame.TagLength));
}
