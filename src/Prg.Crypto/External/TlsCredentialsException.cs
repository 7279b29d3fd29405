// Raised when TLS certificate, key or CA files are refused; one line naming the file and the reason.
namespace Prg.Crypto;

/// <summary>A TLS certificate, private key or CA file was refused.</summary>
public sealed class TlsCredentialsException : CryptoException
{
    public TlsCredentialsException(string message)
        : base(message)
    {
    }

    public TlsCredentialsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
