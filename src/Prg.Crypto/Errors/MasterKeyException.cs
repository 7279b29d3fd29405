// Raised when a master key cannot be loaded or written; each message is one line naming the file
// (or config source) and the reason, suitable for a start-up refusal, and never contains the key.
namespace Prg.Crypto;

/// <summary>A master key file or hex value was refused (missing, loose permissions, wrong length, not hex, exists).</summary>
public sealed class MasterKeyException : CryptoException
{
    public MasterKeyException(string message)
        : base(message)
    {
    }

    public MasterKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
