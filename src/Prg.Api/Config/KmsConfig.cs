// `encryption.kms.*`: the key service and master key. MasterKeyHex is a secret: never log it.
namespace Prg.Api.Config;

public sealed class KmsConfig
{
    public KmsMode Mode { get; set; } = KmsMode.Embedded;

    /// <summary>`encryption.kms.endpoint`: `unix:/path/to.sock`, `host:port` or `https://host:port` (mutual TLS); required in external mode.</summary>
    public string? Endpoint { get; set; }

    /// <summary>`encryption.kms.master_key_file`: file holding the 64-hex-char master key (mode 0600).</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>`encryption.kms.master_key_hex`: the master key inline (development); exclusive with the file.</summary>
    public string? MasterKeyHex { get; set; }

    /// <summary>`encryption.kms.master_key_credential`: name of a systemd credential holding the master key ($CREDENTIALS_DIRECTORY/NAME).</summary>
    public string? MasterKeyCredential { get; set; }

    /// <summary>`prg serve --master-key-fd N`: the master key is read from this inherited descriptor (0 = stdin), then closed.</summary>
    public int? MasterKeyFd { get; set; }

    /// <summary>`encryption.kms.audit_log`: JSON-lines audit of admin key metadata reads and rotation starts (0600).</summary>
    public string? AuditLog { get; set; }

    /// <summary>`encryption.kms.tls.*`: the client certificate and the key service's CA for an https endpoint.</summary>
    public KmsTlsConfig Tls { get; } = new();

    /// <summary>Whether any master key source (file, hex, credential, descriptor) is configured.</summary>
    public bool HasMasterKey =>
        !string.IsNullOrEmpty(MasterKeyFile) || !string.IsNullOrEmpty(MasterKeyHex) || !string.IsNullOrEmpty(MasterKeyCredential) || MasterKeyFd is not null;

    /// <summary>`encryption.kms.previous_master_key_files` (prg): older master keys kept readable during a KEK rotation.</summary>
    public List<string> PreviousMasterKeyFiles { get; set; } = [];
}
