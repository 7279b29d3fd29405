// The client half of mutual TLS to `prg kms`: TLS 1.3 only, our certificate from TlsCredentials
// (reloaded on SIGHUP, so new connections present the new one), the service's certificate checked
// against the configured CA alone (not the system store) and the expected server name.
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Prg.Crypto;

/// <summary>Opens TLS sessions to the key service.</summary>
public sealed class KmsTlsClient : IDisposable
{
    private readonly PosixSignalRegistration? _reloadOnHangup;

    /// <param name="credentials">Our client certificate and the service's CA.</param>
    /// <param name="serverName">The name the service's certificate must carry (SNI and name check).</param>
    /// <param name="reloadOnHangup">Reload the credentials on SIGHUP (the process's own registration).</param>
    public KmsTlsClient(TlsCredentials credentials, string serverName, bool reloadOnHangup = false)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        Credentials = credentials;
        ServerName = serverName;
        if (reloadOnHangup)
        {
            _reloadOnHangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Reload();
            });
        }
    }

    public TlsCredentials Credentials { get; }

    public string ServerName { get; }

    /// <summary>Why the last reload failed (the old certificate stays in use), or null.</summary>
    public string? LastReloadError { get; private set; }

    /// <summary>Reloads the certificate files; a failure keeps the old ones and is kept in <see cref="LastReloadError"/>.</summary>
    public void Reload()
    {
        try
        {
            Credentials.Reload();
            LastReloadError = null;
        }
        catch (TlsCredentialsException e)
        {
            LastReloadError = e.Message;
        }
    }

    internal async ValueTask<SslStream> AuthenticateAsync(Socket socket, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = ServerName,
                    ClientCertificateContext = Credentials.Context,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = ValidateServer,
                },
                cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => _reloadOnHangup?.Dispose();

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
        && Credentials.IsTrusted(certificate, chain, peerIsClient: false);
}
