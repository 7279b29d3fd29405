// `encryption.kms.*`: the key service and master key. MasterKeyHex is a secret: never log it.
namespace Prg.Api.Config;

public sealed class KmsConfig
{
    public KmsMode Mode { get; set; } = KmsMode.Embedded;

    /// <summary>`encryption.kms.endpoint`: `unix:/path/to.sock` or `host:port`; required in external mode.</summary>
    public string? Endpoint { get; set; }

    /// <summary>`encryption.kms.master_key_file`: file holding the 64-hex-char master key (mode 0600).</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>`encryption.kms.master_key_hex`: the master key inline (development); exclusive with the file.</summary>
    public string? MasterKeyHex { get; set; }

    /// <summary>`encryption.kms.previous_master_key_files` (prg): older master keys kept readable during a KEK rotation.</summary>
    public List<string> PreviousMasterKeyFiles { get; set; } = [];
}
