// When the client may send a request a second time after the first attempt failed in transport.
namespace Prg.Crypto;

internal enum KmsRetry
{
    /// <summary>Retry only if the request certainly never reached the service (the connect failed).</summary>
    IfNotSent,

    /// <summary>The call has no side effect a repeat could double (reads, idempotent create, encrypt): retry once.</summary>
    Once,
}
