// The key service's config file reader: the documented keys, both list styles, strict about typos.
namespace Prg.Kms.Tests;

public sealed class ConfigFileTests
{
    [Fact]
    public void Parse_ReadsEveryKeyUnderKms()
    {
        KmsConfigFile config = KmsConfigFile.Parse("""
            server:
              address: 0.0.0.0   # not ours
            kms:
              socket: "/run/prgkms/kms.sock"
              data-dir: /var/lib/prgkms
              master_key_file: '/etc/prgkms/master.key'
              previous_master_key_files:
                - /etc/prgkms/old1.key
                - /etc/prgkms/old2.key
              allow_uids: [1000, 1001]
              addr: 127.0.0.1:6820
              insecure_tcp: false
              max_body_bytes: 4096
            """);
        Assert.Equal("/run/prgkms/kms.sock", config.Socket);
        Assert.Equal("/var/lib/prgkms", config.DataDir);
        Assert.Equal("/etc/prgkms/master.key", config.MasterKeyFile);
        Assert.Equal(["/etc/prgkms/old1.key", "/etc/prgkms/old2.key"], config.PreviousMasterKeyFiles);
        Assert.Equal([1000u, 1001u], config.AllowUids);
        Assert.Equal("127.0.0.1:6820", config.Addr);
        Assert.False(config.InsecureTcp);
        Assert.Equal(4096, config.MaxBodyBytes);
    }

    [Theory]
    [InlineData("kms:\n  sockt: /x\n", "unknown key kms.sockt")]
    [InlineData("kms:\n  allow_uids: [root]\n", "numeric")]
    [InlineData("kms:\n  insecure_tcp: yes\n", "true or false")]
    [InlineData("other:\n  a: b\n", "no 'kms:' section")]
    public void Parse_RefusesWhatItDoesNotUnderstand(string text, string message)
    {
        Assert.Contains(message, Assert.Throws<FormatException>(() => KmsConfigFile.Parse(text)).Message);
    }
}
