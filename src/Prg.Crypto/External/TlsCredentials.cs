// The files of one side of a mutual-TLS link: our certificate (PEM, leaf first, intermediates
// after), its private key (PEM; 0600/0400 and owned by us, refused otherwise, like master keys) and
// the CA the peer's certificate must chain to. Reload() swaps all three at once (SIGHUP); handshakes
// already done keep their certificate, new ones use the new files. A reload that fails keeps the
// old credentials.
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Prg.Crypto;

/// <summary>Certificate, key and trusted CA for <c>prg kms</c> (server) or its client in <c>prg serve</c>.</summary>
public sealed class TlsCredentials
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly string _caFile;
    private volatile Loaded _current;

    /// <exception cref="TlsCredentialsException">A file is missing, unreadable, not PEM, or the key file is not private.</exception>
    public TlsCredentials(string certFile, string keyFile, string caFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(certFile);
        ArgumentException.ThrowIfNullOrEmpty(keyFile);
        ArgumentException.ThrowIfNullOrEmpty(caFile);
        _certFile = certFile;
        _keyFile = keyFile;
        _caFile = caFile;
        _current = Load();
    }

    /// <summary>Our certificate and its chain, ready for SslStream (server or client side).</summary>
    public SslStreamCertificateContext Context => _current.Context;

    /// <summary>When our current certificate expires.</summary>
    public DateTimeOffset NotAfter => _current.Context.TargetCertificate.NotAfter.ToUniversalTime();

    /// <summary>Our current certificate's subject (safe to log).</summary>
    public string Subject => _current.Context.TargetCertificate.Subject;

    /// <summary>Re-reads the three files; on failure the old credentials stay in use.</summary>
    /// <exception cref="TlsCredentialsException">The new files are refused.</exception>
    public void Reload() => _current = Load();

    /// <summary>
    /// Whether <paramref name="peer"/> chains to our CA file (and nothing else), is within its
    /// validity period and may be used for the peer's role. Revocation is not checked (no CRL/OCSP
    /// between two of our own hosts): revoke by reissuing the CA or removing a subject from the allow-list.
    /// </summary>
    public bool IsTrusted(X509Certificate? peer, X509Chain? presented, bool peerIsClient)
    {
        if (peer is null)
        {
            return false;
        }

        using var certificate = new X509Certificate2(peer);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_current.Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(peerIsClient ? ClientAuthOid : ServerAuthOid));
        if (presented is not null)
        {
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private Loaded Load()
    {
        string certPem = ReadText(_certFile, "TLS certificate file");
        string caPem = ReadText(_caFile, "TLS CA file");
        char[] keyPem = ReadPrivateKey();
        try
        {
            X509Certificate2Collection chain = ImportCertificates(certPem, $"TLS certificate file '{_certFile}'");

            X509Certificate2 leaf;
            try
            {
                leaf = X509Certificate2.CreateFromPem(certPem, keyPem);
            }
            catch (CryptographicException e)
            {
                throw new TlsCredentialsException(
                    $"TLS key file '{_keyFile}' is not a PEM private key matching the certificate in '{_certFile}': {e.Message}", e);
            }

            X509Certificate2Collection authorities = ImportCertificates(caPem, $"TLS CA file '{_caFile}'");

            var intermediates = new X509Certificate2Collection();
            for (int i = 1; i < chain.Count; i++)
            {
                intermediates.Add(chain[i]);
            }

            return new Loaded(SslStreamCertificateContext.Create(leaf, intermediates, offline: true), authorities);
        }
        finally
        {
            Array.Clear(keyPem);
        }
    }

    private static X509Certificate2Collection ImportCertificates(string pem, string source)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new TlsCredentialsException($"{source} is not a PEM certificate: {e.Message}", e);
        }

        return certificates.Count > 0 ? certificates : throw new TlsCredentialsException($"{source} holds no certificate");
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsCredentialsException($"{what} '{path}' cannot be read: {e.Message}", e);
        }
    }

    private char[] ReadPrivateKey()
    {
        string source = $"TLS key file '{_keyFile}'";
        try
        {
            using var handle = File.OpenHandle(_keyFile, FileMode.Open, FileAccess.Read);
            if (PrivateFile.Problem(handle, _keyFile, source) is { } problem)
            {
                throw new TlsCredentialsException(problem);
            }

            long length = RandomAccess.GetLength(handle);
            if (length > 1 << 20)
            {
                throw new TlsCredentialsException($"{source} is {length} bytes; that is not a private key");
            }

            byte[] bytes = GC.AllocateArray<byte>((int)length, pinned: true);
            try
            {
                int total = 0;
                int read;
                while (total < bytes.Length && (read = RandomAccess.Read(handle, bytes.AsSpan(total), total)) > 0)
                {
                    total += read;
                }

                char[] text = GC.AllocateArray<char>(total, pinned: true);
                Encoding.ASCII.GetChars(bytes.AsSpan(0, total), text);
                return text;
            }
            finally
            {
                Array.Clear(bytes);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsCredentialsException($"{source} cannot be read: {e.Message}", e);
        }
    }

    private sealed record Loaded(SslStreamCertificateContext Context, X509Certificate2Collection Authorities);
}
