// The two AES-256-GCM engines under FrameKey (AES-NI/PCLMULQDQ in process, and OpenSSL EVP) against
// the McGrew–Viega GCM spec vectors for 256-bit keys and 96-bit IVs, against .NET's AesGcm and each
// other over many random keys, nonces, AAD and lengths (both directions), and under tampering.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public sealed unsafe class GcmEngineTests
{
    private const string SpecKey = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
    private const string SpecNonce = "cafebabefacedbaddecaf888";
    private const string SpecPlaintext =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private const string SpecCiphertext =
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

    public static TheoryData<FrameEngine> Engines => [FrameEngine.AesNiPclmul, FrameEngine.OpenSslEvp];

    /// <summary>Test cases 13–16 of "The Galois/Counter Mode of Operation (GCM)" (the 12-byte-IV ones for AES-256).</summary>
    public static TheoryData<FrameEngine, string, string, string, string, string, string> SpecVectors()
    {
        var data = new TheoryData<FrameEngine, string, string, string, string, string, string>();
        foreach (FrameEngine engine in (FrameEngine[])[FrameEngine.AesNiPclmul, FrameEngine.OpenSslEvp])
        {
            string zeroKey = new('0', 64);
            string zeroNonce = new('0', 24);
            data.Add(engine, "13", zeroKey, zeroNonce, "", "", "530f8afbc74536b9a963b4f1c4cb738b");
            data.Add(engine, "14", zeroKey, zeroNonce, "", new string('0', 32), "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919");
            data.Add(engine, "15", SpecKey, SpecNonce, "", SpecPlaintext, SpecCiphertext + "b094dac5d93471bdec1a502270e3cc6c");
            data.Add(engine, "16", SpecKey, SpecNonce, "feedfacedeadbeeffeedfacedeadbeefabaddad2", SpecPlaintext[..120],
                SpecCiphertext[..120] + "76fc6ece0f4e1768cddf8853bb2d551b");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecVectors))]
    public void SealAndOpenReproduceTheSpecVectors(FrameEngine engine, string testCase, string key, string nonce, string aad, string plaintext, string sealedHex)
    {
        using var gcm = new EngineUnderTest(engine, TestSupport.Hex(key));
        byte[] input = TestSupport.Hex(plaintext);
        byte[] output = new byte[input.Length + 16];

        gcm.Seal(TestSupport.Hex(nonce), input, output, TestSupport.Hex(aad));

        Assert.True(sealedHex == Convert.ToHexStringLower(output), $"test case {testCase}");
        byte[] opened = new byte[input.Length];
        Assert.True(gcm.TryOpen(TestSupport.Hex(nonce), output, opened, TestSupport.Hex(aad)), $"test case {testCase}");
        Assert.Equal(plaintext, Convert.ToHexStringLower(opened));
    }

    [Fact]
    public void BothEnginesAgreeWithAesGcmOnRandomInputsBothWays()
    {
        var random = new Random(20261202);
        var lengths = Enumerable.Range(0, 71).Concat(Enumerable.Range(0, 60).Select(_ => random.Next(71, 4097))).Append(4096);
        foreach (int length in lengths)
        {
            byte[] key = RandomNumberGenerator.GetBytes(32);
            byte[] nonce = RandomNumberGenerator.GetBytes(12);
            byte[] aad = RandomNumberGenerator.GetBytes(random.Next(0, 301));
            byte[] plaintext = RandomNumberGenerator.GetBytes(length);
            string context = $"length {length}, aad {aad.Length}";
            using var aes = TestSupport.NewAes(key);
            using var fast = new EngineUnderTest(FrameEngine.AesNiPclmul, key);
            using var evp = new EngineUnderTest(FrameEngine.OpenSslEvp, key);

            byte[] reference = new byte[length + 16];
            aes.Encrypt(nonce, plaintext, reference.AsSpan(0, length), reference.AsSpan(length), aad);
            byte[] fromFast = new byte[length + 16];
            fast.Seal(nonce, plaintext, fromFast, aad);
            byte[] fromEvp = new byte[length + 16];
            evp.Seal(nonce, plaintext, fromEvp, aad);
            Assert.True(reference.AsSpan().SequenceEqual(fromFast), context);
            Assert.True(reference.AsSpan().SequenceEqual(fromEvp), context);

            byte[] opened = new byte[length];
            Assert.True(fast.TryOpen(nonce, reference, opened, aad), context);
            Assert.True(plaintext.AsSpan().SequenceEqual(opened), context);
            Array.Clear(opened);
            Assert.True(evp.TryOpen(nonce, fromFast, opened, aad), context);
            Assert.True(plaintext.AsSpan().SequenceEqual(opened), context);
            Array.Clear(opened);
            aes.Decrypt(nonce, fromFast.AsSpan(0, length), fromFast.AsSpan(length), opened, aad);
            Assert.True(plaintext.AsSpan().SequenceEqual(opened), context);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void FlippingAnyBitOfCiphertextTagAadOrNonceFailsAndClearsThePlaintext(FrameEngine engine)
    {
        using var gcm = new EngineUnderTest(engine, RandomNumberGenerator.GetBytes(32));
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] aad = RandomNumberGenerator.GetBytes(21);
        byte[] plaintext = RandomNumberGenerator.GetBytes(37);
        byte[] sealedText = new byte[plaintext.Length + 16];
        gcm.Seal(nonce, plaintext, sealedText, aad);

        foreach ((string part, byte[] bytes) in (ReadOnlySpan<(string, byte[])>)[("sealed", sealedText), ("aad", aad), ("nonce", nonce)])
        {
            for (int bit = 0; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                byte[] output = Enumerable.Repeat((byte)0xAA, plaintext.Length).ToArray();
                Assert.False(gcm.TryOpen(nonce, sealedText, output, aad), $"{part} bit {bit}");
                Assert.True(output.All(b => b == 0), $"{part} bit {bit} left plaintext behind");
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
        }

        byte[] genuine = new byte[plaintext.Length];
        Assert.True(gcm.TryOpen(nonce, sealedText, genuine, aad));
        Assert.Equal(plaintext, genuine);
    }

    [Fact]
    public void TheEngineSelfTestPassesAndTheVariableChoosesTheEngine()
    {
        Assert.True(FrameEngines.PassesSelfTest());
        Assert.Equal(FrameEngine.OpenSslEvp, FrameEngines.Parse("openssl-evp"));
        Assert.Equal(FrameEngine.AesNiPclmul, FrameEngines.Parse("aesni-pclmul")); // this machine has AES-NI (below)
        Assert.Equal(FrameEngine.AesNiPclmul, FrameEngines.Parse(null));
        Assert.Equal(FrameEngine.AesNiPclmul, FrameEngines.Parse("auto"));
        CryptoException error = Assert.Throws<CryptoException>(() => FrameEngines.Parse("fast"));
        Assert.Contains(FrameEngines.EnvironmentVariable, error.Message);
        Assert.Equal("aesni-pclmul", FrameEngines.Name(FrameEngine.AesNiPclmul));
        Assert.Equal("openssl-evp", FrameEngines.Name(FrameEngine.OpenSslEvp));
    }

    [Fact]
    public void ThisMachineHasAesNiAndPclmulqdq()
    {
        // The engine tests here need a CPU with AES-NI (prg's test machines have it): say so plainly.
        string[] flags = File.ReadAllLines("/proc/cpuinfo").First(line => line.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        Assert.True(flags.Contains("aes") && flags.Contains("pclmulqdq"), "this CPU lacks AES-NI or PCLMULQDQ");
        Assert.True(AesNiGcm.IsSupported);
    }

    /// <summary>One engine keyed with a key: an AES-NI schedule in test key memory, or one EVP context per direction.</summary>
    private sealed class EngineUnderTest : IDisposable
    {
        private readonly KeyMemory _memory = new(static (_, _) => 0);
        private readonly byte* _key;
        private readonly byte* _schedule;
        private readonly GcmContext _sealer;
        private readonly GcmContext _opener;

        public EngineUnderTest(FrameEngine engine, byte[] key)
        {
            _key = _memory.Store(key);
            if (engine == FrameEngine.AesNiPclmul)
            {
                _schedule = _memory.AllocateSchedule();
                GcmKeySchedule.Expand(_key, _schedule);
            }
            else
            {
                _sealer = GcmContext.Create(_key, encrypt: true);
                _opener = GcmContext.Create(_key, encrypt: false);
            }
        }

        public void Seal(byte[] nonce, byte[] plaintext, byte[] output, byte[] aad)
        {
            Span<byte> ciphertext = output.AsSpan(0, plaintext.Length);
            Span<byte> tag = output.AsSpan(plaintext.Length, 16);
            if (_schedule != null)
            {
                new AesNiGcm(_schedule).Seal(nonce, plaintext, ciphertext, tag, aad);
            }
            else
            {
                _sealer.Seal(nonce, plaintext, ciphertext, tag, aad);
            }
        }

        public bool TryOpen(byte[] nonce, byte[] sealedText, byte[] plaintext, byte[] aad)
        {
            ReadOnlySpan<byte> ciphertext = sealedText.AsSpan(0, sealedText.Length - 16);
            ReadOnlySpan<byte> tag = sealedText.AsSpan(sealedText.Length - 16);
            return _schedule != null
                ? new AesNiGcm(_schedule).TryOpen(nonce, ciphertext, tag, plaintext, aad)
                : _opener.TryOpen(nonce, ciphertext, tag, plaintext, aad);
        }

        public void Dispose()
        {
            if (_schedule != null)
            {
                _memory.ReleaseSchedule(_schedule);
            }
            else
            {
                _sealer.Free();
                _opener.Free();
            }

            _memory.Release(_key);
        }
    }
}
