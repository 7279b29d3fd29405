// Raised when the external key service cannot be used at all (not listening, connection lost,
// timed out, shutting down, broken response): the Api answers 503 and stores nothing.
namespace Prg.Crypto;

/// <summary>The key service could not be reached or did not answer in time.</summary>
public sealed class KeyServiceUnavailableException : CryptoException
{
    public KeyServiceUnavailableException(string message)
        : base(message)
    {
    }

    public KeyServiceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
