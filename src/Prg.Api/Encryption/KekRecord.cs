// The store's record of its current master key after a KEK rotation (sys key "kms:kek"): which
// kek_id and kek_version are current and the key file that holds it, so a restart uses the rotated
// key even before the operator has updated the configuration. Key ids and paths only, never keys.
namespace Prg.Api.Encryption;

public sealed class KekRecord
{
    public string KekId { get; set; } = "";

    public uint KekVersion { get; set; }

    /// <summary>Absolute path of the key file given to the rotation.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The KEK it replaced (no longer needed once the rotation finished).</summary>
    public string? PreviousKekId { get; set; }

    /// <summary>
    /// True once every thread's DEK is wrapped under this KEK and the previous one is no longer needed;
    /// false after a rotation that ended with errors (a new rotate-kek with the same key retries it).
    /// </summary>
    public bool Complete { get; set; }

    /// <summary>The rotation job that installed it.</summary>
    public string? JobId { get; set; }

    /// <summary>Unix nanoseconds when the rotation finished.</summary>
    public long RotatedTs { get; set; }
}
