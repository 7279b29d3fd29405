// IpAllowList: addresses and CIDR ranges in both families, the /0, /32 and /128 edges, IPv4-mapped
// IPv6 in entries and peers, and rejection of malformed entries.
using System.Net;
using Prg.Api.Auth;

namespace Prg.Api.Tests.Auth;

public class IpAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)]
    [InlineData("192.168.1.0/24", "192.168.1.77", true)]
    [InlineData("192.168.1.0/24", "192.168.2.1", false)]
    [InlineData("192.168.1.10/32", "192.168.1.10", true)]
    [InlineData("192.168.1.10/32", "192.168.1.11", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "10.0.0.1", true)]
    [InlineData("fe80::/10", "fe80::1%2", true)]
    public void MatchesAddressesAndRanges(string entry, string peer, bool expected)
    {
        IpAllowList list = IpAllowList.Parse([entry]);

        Assert.Equal(expected, list.Contains(IPAddress.Parse(peer)));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "::ffff:11.1.2.3", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.200.0.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.0.0.1", false)]
    [InlineData("::ffff:0.0.0.0/96", "198.51.100.7", true)]
    [InlineData("::ffff:0.0.0.0/96", "2001:db8::1", false)]
    public void TreatsIpv4MappedIpv6AsIpv4(string entry, string peer, bool expected)
    {
        IpAllowList list = IpAllowList.Parse([entry]);

        Assert.Equal(expected, list.Contains(IPAddress.Parse(peer)));
    }

    [Fact]
    public void MatchesAnyOfSeveralEntries()
    {
        IpAllowList list = IpAllowList.Parse(["127.0.0.1", "::1", " 10.0.0.0/8 "]);

        Assert.False(list.IsEmpty);
        Assert.True(list.Contains(IPAddress.Loopback));
        Assert.True(list.Contains(IPAddress.IPv6Loopback));
        Assert.True(list.Contains(IPAddress.Parse("10.4.4.4")));
        Assert.False(list.Contains(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void EmptyListIsEmptyAndContainsNothing()
    {
        IpAllowList list = IpAllowList.Parse([]);

        Assert.True(list.IsEmpty);
        Assert.True(IpAllowList.Empty.IsEmpty);
        Assert.False(list.Contains(IPAddress.Loopback));
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("10.0.0")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("256.0.0.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("::1/129")]
    [InlineData("2001:db8::zz")]
    [InlineData("1.2.3.4.5")]
    public void RejectsMalformedEntriesNamingThem(string entry)
    {
        var ex = Assert.Throws<FormatException>(() => IpAllowList.Parse([entry]));

        Assert.Contains($"'{entry.Trim()}'", ex.Message);
    }
}
