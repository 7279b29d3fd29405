// Raised when a key id, DEK version or KEK needed for an operation is not known to the provider.
namespace Prg.Crypto;

/// <summary>The key id, DEK version or KEK (kek_id) needed is not available; <see cref="Reason"/> says which.</summary>
public sealed class UnknownKeyException : CryptoException
{
    public UnknownKeyException(string message, UnknownKeyReason reason)
        : base(message)
    {
        Reason = reason;
    }

    public UnknownKeyReason Reason { get; }
}
