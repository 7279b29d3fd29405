// Raised when the key service answered but refused a request for a reason that has no more specific
// Crypto exception (bad request, conflict, payload too large): a client or operator error.
namespace Prg.Crypto;

/// <summary>The key service refused a request; <see cref="StatusCode"/> and <see cref="Code"/> say why.</summary>
public sealed class KeyServiceException : CryptoException
{
    public KeyServiceException(int statusCode, string code, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
    }

    /// <summary>The HTTP status the service answered with.</summary>
    public int StatusCode { get; }

    /// <summary>The protocol error code (<see cref="KmsProtocol.ErrorCodes"/>), or empty if none was given.</summary>
    public string Code { get; }
}
