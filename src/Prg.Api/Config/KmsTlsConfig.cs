// `encryption.kms.tls.*`: mutual TLS to a key service on another host (endpoint https://HOST:PORT).
namespace Prg.Api.Config;

public sealed class KmsTlsConfig
{
    /// <summary>`cert_file`: this server's client certificate (PEM, may include intermediates).</summary>
    public string? CertFile { get; set; }

    /// <summary>`key_file`: its private key (PEM, mode 0600 or 0400, owned by the user prg runs as).</summary>
    public string? KeyFile { get; set; }

    /// <summary>`ca_file`: the CA (PEM) the key service's certificate must chain to.</summary>
    public string? CaFile { get; set; }

    /// <summary>`server_name`: the name the key service's certificate must carry (default: the endpoint's host).</summary>
    public string? ServerName { get; set; }

    public bool IsConfigured => CertFile is not null || KeyFile is not null || CaFile is not null || ServerName is not null;
}
