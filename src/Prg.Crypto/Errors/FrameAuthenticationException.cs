// Raised when a well-formed frame does not authenticate: wrong key, wrong thread/record/version
// binding, or tampered bytes. The caller gets no plaintext.
namespace Prg.Crypto;

/// <summary>A frame failed AES-GCM authentication (tampered, moved to another record, or wrong key).</summary>
public sealed class FrameAuthenticationException : CryptoException
{
    public FrameAuthenticationException(string message)
        : base(message)
    {
    }
}
