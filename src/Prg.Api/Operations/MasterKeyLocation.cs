// Where the master key of a running server lives, in words for a backup's manifest: backups never hold
// the key, so whoever restores one must be told where to find it.
using Prg.Api.Config;

namespace Prg.Api.Operations;

public static class MasterKeyLocation
{
    public static string Describe(EncryptionConfig encryption)
    {
        ArgumentNullException.ThrowIfNull(encryption);
        KmsConfig kms = encryption.Kms;
        if (!encryption.Enabled)
        {
            return "none: encryption is off on this server";
        }

        if (kms.Mode == KmsMode.External)
        {
            return $"held by the external key service at {kms.Endpoint}" + (string.IsNullOrEmpty(kms.MasterKeyFile) ? "" : $" (fallback key file {Path.GetFullPath(kms.MasterKeyFile)})");
        }

        if (!string.IsNullOrEmpty(kms.MasterKeyFile))
        {
            return $"key file {Path.GetFullPath(kms.MasterKeyFile)} on the server host";
        }

        if (!string.IsNullOrEmpty(kms.MasterKeyCredential))
        {
            return $"systemd credential {kms.MasterKeyCredential} on the server host";
        }

        if (kms.MasterKeyFd is not null)
        {
            return "passed to prg serve on a descriptor (--master-key-fd) by whoever starts it";
        }

        return "encryption.kms.master_key_hex in the server's configuration";
    }
}
