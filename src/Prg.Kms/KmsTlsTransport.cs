// Mutual TLS on the key service's TCP listener: TLS 1.3 only, a client certificate that chains to
// --tls-client-ca (and nothing else) is required, optionally one whose subject, common name or DNS
// name is on --tls-allow-subject. Plugged into the HTTP server as its stream opener, so the HTTP
// connection runs over the SslStream; connections on the Unix socket stay plain.
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Prg.Crypto;
using Prg.Logging;

namespace Prg.Kms;

/// <summary>The server half of mutual TLS for <c>prg kms</c>.</summary>
public sealed class KmsTlsTransport
{
    private readonly HashSet<string> _allowedSubjects;
    private readonly Log _log;

    public KmsTlsTransport(TlsCredentials credentials, IEnumerable<string> allowedSubjects, Log log)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Credentials = credentials;
        _allowedSubjects = new HashSet<string>(allowedSubjects, StringComparer.Ordinal);
        _log = log;
    }

    public TlsCredentials Credentials { get; }

    /// <summary>The HTTP server's stream opener: TLS on TCP, the plain socket on a Unix socket.</summary>
    public async Task<Stream> OpenAsync(Socket socket, CancellationToken cancellationToken)
    {
        if (socket.AddressFamily == AddressFamily.Unix)
        {
            return new NetworkStream(socket, ownsSocket: false);
        }

        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = Credentials.Context,
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = ValidateClient,
                },
                cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (Exception e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _log.Warn("refused a TLS connection", LogField.Text("peer", socket.RemoteEndPoint?.ToString() ?? "?"), LogField.Text("reason", e.GetBaseException().Message));
            throw;
        }
    }

    /// <summary>The caller a TLS connection authenticated as (its certificate subject), or null.</summary>
    public static string? CallerOf(Stream? stream) =>
        stream is SslStream { RemoteCertificate: { } certificate } ? certificate.Subject : null;

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || !Credentials.IsTrusted(certificate, chain, peerIsClient: true))
        {
            return false;
        }

        if (_allowedSubjects.Count == 0)
        {
            return true;
        }

        using var client = new X509Certificate2(certificate);
        if (IsAllowed(client))
        {
            return true;
        }

        _log.Warn("refused a client certificate whose subject is not on --tls-allow-subject", LogField.Text("subject", client.Subject));
        return false;
    }

    private bool IsAllowed(X509Certificate2 certificate)
    {
        if (_allowedSubjects.Contains(certificate.Subject) || _allowedSubjects.Contains(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)))
        {
            return true;
        }

        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension names)
            {
                foreach (string dns in names.EnumerateDnsNames())
                {
                    if (_allowedSubjects.Contains(dns))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
