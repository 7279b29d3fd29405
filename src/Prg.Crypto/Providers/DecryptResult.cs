// One item's outcome in a batch decrypt: the plaintext, or the reason that item failed, so one bad
// frame in a page does not fail the whole page.
namespace Prg.Crypto;

/// <summary>The plaintext of one batch item, or its error (never both).</summary>
public readonly struct DecryptResult
{
    private DecryptResult(byte[]? plaintext, CryptoException? error)
    {
        Plaintext = plaintext;
        Error = error;
    }

    /// <summary>The plaintext when <see cref="IsSuccess"/>; otherwise null.</summary>
    public byte[]? Plaintext { get; }

    /// <summary>
    /// Why the item failed: <see cref="MalformedFrameException"/>, <see cref="FrameAuthenticationException"/>
    /// or <see cref="UnknownKeyException"/> (unknown DEK version).
    /// </summary>
    public CryptoException? Error { get; }

    public bool IsSuccess => Plaintext is not null;

    public static DecryptResult Success(byte[] plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return new DecryptResult(plaintext, null);
    }

    public static DecryptResult Failure(CryptoException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new DecryptResult(null, error);
    }
}
