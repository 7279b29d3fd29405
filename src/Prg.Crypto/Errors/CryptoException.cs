// Base type of every error the Crypto layer reports on purpose, so callers can map "crypto said no"
// to a status code without catching unrelated exceptions.
namespace Prg.Crypto;

/// <summary>A refusal or failure reported by the Crypto layer. Messages never contain key material.</summary>
public class CryptoException : Exception
{
    public CryptoException(string message)
        : base(message)
    {
    }

    public CryptoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
