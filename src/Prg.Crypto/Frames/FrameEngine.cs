// Which AES-256-GCM implementation FrameKey uses for data frames. The in-process AES-NI/PCLMULQDQ engine
// when the CPU has those instructions (a frame then costs the AES and GHASH work only), else OpenSSL's
// EVP through a pool of contexts. Under native AOT, Aes/Pclmulqdq/Ssse3.IsSupported are runtime checks
// of the CPU (ILC compiles code guarded by them "optimistically" while the baseline stays x86-64-v1/v2),
// so one binary runs everywhere and picks the fast engine where it can (docs/configuration.md).
namespace Prg.Crypto;

/// <summary>The AES-256-GCM implementation under <see cref="FrameKey"/>.</summary>
public enum FrameEngine
{
    /// <summary>In-process AES-NI rounds and PCLMULQDQ GHASH on a key schedule computed once.</summary>
    AesNiPclmul,

    /// <summary>OpenSSL 3's EVP interface with pooled cipher contexts.</summary>
    OpenSslEvp,
}

/// <summary>Chooses the process-wide <see cref="FrameEngine"/> once.</summary>
public static unsafe class FrameEngines
{
    /// <summary>Forces an engine: <c>auto</c> (default), <c>aesni-pclmul</c> or <c>openssl-evp</c>.</summary>
    public const string EnvironmentVariable = "PRG_FRAME_ENGINE";

    private static readonly Lazy<FrameEngine> s_default = new(Choose);

    /// <summary>The engine new keys use.</summary>
    /// <exception cref="CryptoException">The variable names an unknown or unavailable engine, or the fast engine failed its self-test (fail closed).</exception>
    public static FrameEngine Default => s_default.Value;

    /// <summary>The engine's name as printed by <c>prg bench crypto</c> and accepted by <see cref="EnvironmentVariable"/>.</summary>
    public static string Name(FrameEngine engine) => engine switch
    {
        FrameEngine.AesNiPclmul => "aesni-pclmul",
        FrameEngine.OpenSslEvp => "openssl-evp",
        _ => throw new ArgumentOutOfRangeException(nameof(engine)),
    };

    /// <summary>The engine a value of <see cref="EnvironmentVariable"/> selects (null or empty: auto).</summary>
    internal static FrameEngine Parse(string? value)
    {
        switch (value)
        {
            case null or "" or "auto":
                return AesNiGcm.IsSupported && PassesSelfTest() ? FrameEngine.AesNiPclmul : FrameEngine.OpenSslEvp;
            case "openssl-evp":
                return FrameEngine.OpenSslEvp;
            case "aesni-pclmul" when !AesNiGcm.IsSupported:
                throw new CryptoException($"{EnvironmentVariable}=aesni-pclmul, but this CPU lacks AES-NI or PCLMULQDQ; use auto or openssl-evp");
            case "aesni-pclmul":
                return PassesSelfTest()
                    ? FrameEngine.AesNiPclmul
                    : throw new CryptoException($"the aesni-pclmul engine failed its known-answer self-test; set {EnvironmentVariable}=openssl-evp");
            default:
                throw new CryptoException($"{EnvironmentVariable} must be auto, aesni-pclmul or openssl-evp; got '{value}'");
        }
    }

    /// <summary>
    /// McGrew–Viega GCM test case 16 (AES-256, 60-byte plaintext, 20-byte AAD), sealed and opened once
    /// per process before the engine is trusted with data: a miscompiled or unsupported instruction
    /// path shows here, not as frames no other implementation can open. The key is public.
    /// </summary>
    internal static bool PassesSelfTest()
    {
        ReadOnlySpan<byte> key = Convert.FromHexString("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        byte[] nonce = Convert.FromHexString("cafebabefacedbaddecaf888");
        byte[] aad = Convert.FromHexString("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plaintext = Convert.FromHexString(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] expected = Convert.FromHexString(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            + "76fc6ece0f4e1768cddf8853bb2d551b");
        byte* schedule = stackalloc byte[KeyMemory.ScheduleSlotLength];
        fixed (byte* k = key)
        {
            GcmKeySchedule.Expand(k, schedule);
        }

        var engine = new AesNiGcm(schedule);
        byte[] sealedText = new byte[expected.Length];
        engine.Seal(nonce, plaintext, sealedText.AsSpan(0, plaintext.Length), sealedText.AsSpan(plaintext.Length), aad);
        byte[] opened = new byte[plaintext.Length];
        return sealedText.AsSpan().SequenceEqual(expected)
            && engine.TryOpen(nonce, expected.AsSpan(0, plaintext.Length), expected.AsSpan(plaintext.Length), opened, aad)
            && opened.AsSpan().SequenceEqual(plaintext);
    }

    private static FrameEngine Choose() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));
}
