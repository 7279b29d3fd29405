// Raised when the key service cannot start as configured (keys do not match the store, a listener
// cannot be bound); the message is one line for the operator.
namespace Prg.Kms;

/// <summary>The key service refuses to start.</summary>
public sealed class KmsStartupException : Exception
{
    public KmsStartupException(string message)
        : base(message)
    {
    }

    public KmsStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
