// What a failed seal or open means for the caller, in one place: a key service that cannot be reached
// is a 503 (retry later); a frame that does not authenticate, a key id or version nobody knows, key
// material that does not parse, or a refusal we caused are 500s, each counted for /metrics. A client
// that went away (cancellation) is not an error of ours and passes through.
using Prg.Api.Http;
using Prg.Crypto;

namespace Prg.Api.Encryption;

public sealed class EncryptionFailures
{
    private long _authentication;
    private long _unknownKeys;
    private long _corruptKeyMaterial;
    private long _other;

    /// <summary>Stored frames that did not authenticate or were not frames at all.</summary>
    public long Authentication => Interlocked.Read(ref _authentication);

    /// <summary>Key ids, DEK versions or KEKs the provider did not know.</summary>
    public long UnknownKeys => Interlocked.Read(ref _unknownKeys);

    /// <summary>Thread key material that did not parse.</summary>
    public long CorruptKeyMaterial => Interlocked.Read(ref _corruptKeyMaterial);

    /// <summary>Anything else (a refusal by the key service, a bug).</summary>
    public long Other => Interlocked.Read(ref _other);

    /// <summary>The exception to throw instead of <paramref name="e"/>: an ApiException, or <paramref name="e"/> itself when the caller left.</summary>
    public Exception Classify(Exception e)
    {
        switch (e)
        {
            case OperationCanceledException or ApiException:
                return e;
            case KeyServiceUnavailableException:
                return new ApiException(503, "encryption unavailable: the key service cannot be reached");
            case FrameAuthenticationException or MalformedFrameException:
                Interlocked.Increment(ref _authentication);
                return new ApiException(500, "decryption failed: stored data did not authenticate");
            case UnknownKeyException:
                Interlocked.Increment(ref _unknownKeys);
                return new ApiException(500, "encryption failed: the thread's key is not known to the key service");
            case KeyMaterialFormatException:
                Interlocked.Increment(ref _corruptKeyMaterial);
                return new ApiException(500, "encryption failed: the thread's key metadata is corrupt");
            default:
                Interlocked.Increment(ref _other);
                return new ApiException(500, "encryption failed");
        }
    }
}
