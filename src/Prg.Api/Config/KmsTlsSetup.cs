// Builds the key service client's mutual-TLS half from `encryption.kms.tls.*` (null for a Unix
// socket or plain TCP endpoint). The certificate files are reloaded on SIGHUP.
using Prg.Crypto;

namespace Prg.Api.Config;

public static class KmsTlsSetup
{
    /// <exception cref="TlsCredentialsException">A certificate, key or CA file is refused.</exception>
    public static KmsTlsClient? Create(KmsConfig kms)
    {
        ArgumentNullException.ThrowIfNull(kms);
        if (kms.Endpoint is null || !KmsEndpoint.Parse(kms.Endpoint).IsTls)
        {
            return null;
        }

        KmsTlsConfig tls = kms.Tls;
        var credentials = new TlsCredentials(tls.CertFile!, tls.KeyFile!, tls.CaFile!);
        string serverName = string.IsNullOrEmpty(tls.ServerName) ? KmsEndpoint.Parse(kms.Endpoint).Host! : tls.ServerName;
        return new KmsTlsClient(credentials, serverName, reloadOnHangup: true);
    }
}
