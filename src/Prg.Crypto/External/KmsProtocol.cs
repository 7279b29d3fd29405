// The wire contract of the external key service (docs/kms-protocol.md), shared by the service
// (Prg.Kms) and its client (ExternalKeyProvider) so the two cannot drift apart.
namespace Prg.Crypto;

/// <summary>Paths, error codes and defaults of the <c>prg kms</c> HTTP protocol.</summary>
public static class KmsProtocol
{
    public const string HealthPath = "/healthz";
    public const string CreateDekPath = "/create_dek_for_thread";
    public const string EncryptPath = "/encrypt";
    public const string DecryptPath = "/decrypt";
    public const string GetWrappedPath = "/get_wrapped";
    public const string EncryptBatchPath = "/encrypt_batch";
    public const string DecryptBatchPath = "/decrypt_batch";
    public const string RotateKekPath = "/rotate_kek";
    public const string RotateKekStatusPath = "/rotate_kek/status";
    public const string RotateDekPath = "/rotate_dek";
    public const string RewrapDekPath = "/rewrap_dek";

    /// <summary>
    /// Record id a frame is bound to when a request carries no <c>aad</c>: the AAD is then
    /// (thread of the key id, <c>"-"</c>), so frames made without AAD still cannot move between threads.
    /// </summary>
    public const string DefaultRecordId = "-";

    /// <summary>Most items one batch request may carry.</summary>
    public const int MaxBatchItems = 10_000;

    /// <summary>Longest key id or thread id accepted, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 1024;

    /// <summary>Error codes carried next to the message in <c>{"error","code"}</c> bodies.</summary>
    public static class ErrorCodes
    {
        public const string BadRequest = "bad_request";
        public const string MalformedFrame = "malformed_frame";
        public const string FrameAuthentication = "frame_authentication";
        public const string UnknownKey = "unknown_key";
        public const string UnknownDekVersion = "unknown_dek_version";
        public const string UnknownKek = "unknown_kek";
        public const string Conflict = "conflict";
        public const string NotFound = "not_found";
        public const string MethodNotAllowed = "method_not_allowed";
        public const string Internal = "internal";
        public const string Unavailable = "unavailable";
    }

    /// <summary>The AAD used for a key id when a request has none (see <see cref="DefaultRecordId"/>).</summary>
    public static RecordAad DefaultAad(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return new RecordAad(KeyIds.TryGetThreadId(keyId, out string threadId) ? threadId : keyId, DefaultRecordId);
    }
}
