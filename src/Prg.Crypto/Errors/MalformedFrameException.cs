// Raised when bytes are not a frame at all (too short, unknown format byte), before any key is used.
namespace Prg.Crypto;

/// <summary>The bytes are not a frame this version understands (truncated or unknown format).</summary>
public sealed class MalformedFrameException : CryptoException
{
    public MalformedFrameException(string message)
        : base(message)
    {
    }
}
