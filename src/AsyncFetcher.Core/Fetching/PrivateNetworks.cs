using System.Net;
using System.Net.Sockets;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// The address blocks a crawler of the open web must not reach unless told to: loopback, private
/// (RFC 1918, IPv6 unique local), link-local (169.254.0.0/16, where cloud metadata lives, and
/// fe80::/10), shared CGNAT space (100.64.0.0/10), multicast, unspecified and reserved. IPv6 forms
/// that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by that address.
/// </summary>
internal static class PrivateNetworks
{
    private static readonly Block[] V4 =
    [
        new(IPAddress.Parse("0.0.0.0"), 8, "unspecified"),
        new(IPAddress.Parse("10.0.0.0"), 8, "private"),
        new(IPAddress.Parse("100.64.0.0"), 10, "shared (CGNAT)"),
        new(IPAddress.Parse("127.0.0.0"), 8, "loopback"),
        new(IPAddress.Parse("169.254.0.0"), 16, "link-local"),
        new(IPAddress.Parse("172.16.0.0"), 12, "private"),
        new(IPAddress.Parse("192.168.0.0"), 16, "private"),
        new(IPAddress.Parse("224.0.0.0"), 4, "multicast"),
        new(IPAddress.Parse("240.0.0.0"), 4, "reserved"),
    ];

    private static readonly Block[] V6 =
    [
        new(IPAddress.IPv6None, 128, "unspecified"),
        new(IPAddress.IPv6Loopback, 128, "loopback"),
        new(IPAddress.Parse("fc00::"), 7, "unique local"),
        new(IPAddress.Parse("fe80::"), 10, "link-local"),
        new(IPAddress.Parse("fec0::"), 10, "site-local"),
        new(IPAddress.Parse("ff00::"), 8, "multicast"),
    ];

    /// <summary>The non-public block <paramref name="address"/> is in; null for a public address.</summary>
    public static Block? Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedV4(address) is { } v4)
        {
            address = v4;
        }
        foreach (var block in address.AddressFamily == AddressFamily.InterNetwork ? V4 : V6)
        {
            if (block.Contains(address))
            {
                return block;
            }
        }
        return null;
    }

    /// <summary>The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one.</summary>
    private static IPAddress? EmbeddedV4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        // ::a.b.c.d (IPv4-compatible, deprecated) but not :: and ::1 themselves.
        if (bytes[..12].IndexOfAnyExcept((byte)0) < 0 && (bytes[12] | bytes[13] | bytes[14]) != 0)
        {
            return new IPAddress(bytes[12..]);
        }
        // 64:ff9b::/96, the well-known NAT64 prefix.
        if (bytes[..12].SequenceEqual((ReadOnlySpan<byte>)[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]))
        {
            return new IPAddress(bytes[12..]);
        }
        // 2002::/16, 6to4: the IPv4 address follows the prefix.
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return new IPAddress(bytes[2..6]);
        }
        return null;
    }

    /// <summary>An address block: <see cref="Network"/>/<see cref="PrefixLength"/>, named for messages.</summary>
    internal sealed record Block(IPAddress Network, int PrefixLength, string Name)
    {
        public bool Contains(IPAddress address)
        {
            if (address.AddressFamily != Network.AddressFamily)
            {
                return false;
            }
            Span<byte> a = stackalloc byte[16];
            Span<byte> n = stackalloc byte[16];
            address.TryWriteBytes(a, out var length);
            Network.TryWriteBytes(n, out _);
            var bits = PrefixLength;
            for (var i = 0; i < length && bits > 0; i++, bits -= 8)
            {
                var mask = bits >= 8 ? 0xff : 0xff << (8 - bits) & 0xff;
                if ((a[i] & mask) != (n[i] & mask))
                {
                    return false;
                }
            }
            return true;
        }

        public override string ToString() => $"{Network}/{PrefixLength} ({Name})";
    }
}
