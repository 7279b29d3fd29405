// Raised when stored thread key material (the thread meta "kms" block) cannot be parsed or is
// inconsistent, so a corrupt record is reported as such instead of as a decrypt failure later.
namespace Prg.Crypto;

/// <summary>Thread key material JSON is malformed or internally inconsistent.</summary>
public sealed class KeyMaterialFormatException : CryptoException
{
    public KeyMaterialFormatException(string message)
        : base(message)
    {
    }

    public KeyMaterialFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
