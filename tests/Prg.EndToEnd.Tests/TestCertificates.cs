// A throwaway PKI made with the openssl command line for the mutual-TLS tests: a CA, the key
// service's certificate (kms.test, 127.0.0.1), a client certificate (prg-serve-1), and the bad
// clients: another CA's, an expired one, and one whose subject is not on the allow-list.
using System.Diagnostics;

namespace Prg.EndToEnd.Tests;

internal sealed class TestCertificates
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string Cert(string name) => Path.Combine(Directory, name + ".pem");

    public string Key(string name) => Path.Combine(Directory, name + ".key");

    /// <summary>ca, kms (server), client, intruder (same CA, other CN), expired, and stranger (other CA).</summary>
    public static async Task<TestCertificates> CreateAsync(string parent)
    {
        var certs = new TestCertificates(System.IO.Directory.CreateDirectory(Path.Combine(parent, "pki")).FullName);
        await certs.SelfSignedAsync("ca", "prg-test-ca");
        await certs.SelfSignedAsync("other-ca", "other-test-ca");
        await certs.IssueAsync("kms", "kms.test", "ca", server: true);
        await certs.IssueAsync("client", "prg-serve-1", "ca", server: false);
        await certs.IssueAsync("intruder", "intruder", "ca", server: false);
        await certs.IssueAsync("expired", "prg-serve-1", "ca", server: false, days: -1);
        await certs.IssueAsync("stranger", "prg-serve-1", "other-ca", server: false);
        return certs;
    }

    /// <summary>Issues a certificate for <paramref name="commonName"/> signed by <paramref name="ca"/>.</summary>
    public async Task IssueAsync(string name, string commonName, string ca, bool server, int days = 30)
    {
        string extensions = Path.Combine(Directory, name + ".ext");
        await File.WriteAllTextAsync(extensions, server
            ? $"[e]\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:{commonName},IP:127.0.0.1\n"
            : $"[e]\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:{commonName}\n");
        await OpenSslAsync("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Key(name),
            "-out", Path.Combine(Directory, name + ".csr"), "-subj", "/CN=" + commonName);
        await OpenSslAsync("x509", "-req", "-in", Path.Combine(Directory, name + ".csr"), "-CA", Cert(ca), "-CAkey", Key(ca),
            "-CAcreateserial", "-out", Cert(name), "-days", days.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-extfile", extensions, "-extensions", "e");
        File.SetUnixFileMode(Key(name), Private);
    }

    private async Task SelfSignedAsync(string name, string commonName)
    {
        await OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Key(name),
            "-out", Cert(name), "-days", "30", "-subj", "/CN=" + commonName);
        File.SetUnixFileMode(Key(name), Private);
    }

    private async Task OpenSslAsync(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { WorkingDirectory = Directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {error}");
    }
}
