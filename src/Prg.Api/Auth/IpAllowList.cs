// The peer allow-list (`server.ip_whitelist`): single addresses and CIDR ranges, IPv4 and IPv6.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack socket reports for IPv4 peers) are treated
// as the IPv4 address they carry, both in entries and in peers, so `10.0.0.0/8` matches ::ffff:10.1.2.3
// and `::ffff:10.0.0.0/104` means 10.0.0.0/8. An IPv6 range that covers ::ffff:0:0/96 (such as ::/0)
// also matches IPv4 peers.
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Prg.Api.Auth;

public sealed class IpAllowList
{
    private static readonly UInt128 s_mappedPrefix = new(0, 0x0000_FFFF_0000_0000);

    private readonly (uint Network, uint Mask)[] _v4;
    private readonly (UInt128 Network, UInt128 Mask)[] _v6;

    private IpAllowList((uint, uint)[] v4, (UInt128, UInt128)[] v6)
    {
        _v4 = v4;
        _v6 = v6;
    }

    public static IpAllowList Empty { get; } = new([], []);

    /// <summary>True when no entry is configured: the caller then lets every peer in.</summary>
    public bool IsEmpty => _v4.Length == 0 && _v6.Length == 0;

    /// <summary>Parses entries such as `127.0.0.1`, `::1`, `10.0.0.0/8`, `2001:db8::/32`.</summary>
    /// <exception cref="FormatException">An entry is not an address or a range; the message names it.</exception>
    public static IpAllowList Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var v4 = new List<(uint, uint)>();
        var v6 = new List<(UInt128, UInt128)>();

        foreach (string raw in entries)
        {
            string entry = raw?.Trim() ?? string.Empty;
            int slash = entry.IndexOf('/');
            string addressText = slash < 0 ? entry : entry[..slash];
            int? prefix = null;
            if (slash >= 0)
            {
                string prefixText = entry[(slash + 1)..];
                if (prefixText.Length is 0 or > 3
                    || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed))
                {
                    throw Invalid(entry, "the prefix length after '/' must be a number");
                }

                prefix = parsed;
            }

            if (!addressText.Contains(':'))
            {
                if (!IsDottedQuad(addressText) || !IPAddress.TryParse(addressText, out IPAddress? address4))
                {
                    throw Invalid(entry, "not an IPv4 address (expected a.b.c.d)");
                }

                int bits = prefix ?? 32;
                if (bits > 32)
                {
                    throw Invalid(entry, "an IPv4 prefix length is at most 32");
                }

                uint mask = MaskV4(bits);
                v4.Add((ReadV4(address4) & mask, mask));
                continue;
            }

            if (!IPAddress.TryParse(addressText, out IPAddress? address6) || address6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw Invalid(entry, "not an IPv6 address");
            }

            int bits6 = prefix ?? 128;
            if (bits6 > 128)
            {
                throw Invalid(entry, "an IPv6 prefix length is at most 128");
            }

            if (address6.IsIPv4MappedToIPv6 && bits6 >= 96)
            {
                uint mask = MaskV4(bits6 - 96);
                v4.Add((ReadV4(address6.MapToIPv4()) & mask, mask));
                continue;
            }

            UInt128 mask6 = MaskV6(bits6);
            v6.Add((ReadV6(address6) & mask6, mask6));
        }

        return new IpAllowList([.. v4], [.. v6]);
    }

    /// <summary>Whether the peer address falls in any entry.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);

        if (address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6)
        {
            uint value = address.AddressFamily == AddressFamily.InterNetwork ? ReadV4(address) : ReadV4(address.MapToIPv4());
            foreach ((uint network, uint mask) in _v4)
            {
                if ((value & mask) == network)
                {
                    return true;
                }
            }

            return MatchesV6(s_mappedPrefix | value);
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && MatchesV6(ReadV6(address));
    }

    private bool MatchesV6(UInt128 value)
    {
        foreach ((UInt128 network, UInt128 mask) in _v6)
        {
            if ((value & mask) == network)
            {
                return true;
            }
        }

        return false;
    }

    // IPAddress.TryParse also takes inet_aton forms ("10", "10.1", "0x0a.1.2.3"); an allow-list entry must
    // say exactly what it means.
    private static bool IsDottedQuad(string text)
    {
        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }

    private static uint MaskV4(int bits) => bits == 0 ? 0 : uint.MaxValue << (32 - bits);

    private static UInt128 MaskV6(int bits) => bits == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - bits);

    private static uint ReadV4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static UInt128 ReadV6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static FormatException Invalid(string entry, string reason) =>
        new($"'{entry}' is not a valid IP address or CIDR range: {reason}");
}
