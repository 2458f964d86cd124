using System.Net;
using AsyncFetcher.Core.Fetching;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>Which addresses the guard refuses: the check is on addresses, so every spelling of one lands here the same.</summary>
public sealed class PrivateNetworksTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "shared (CGNAT)")]
    [InlineData("100.127.255.255", "shared (CGNAT)")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fd00::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("2002:c0a8:0101::1", "private")]
    public void Non_public_addresses_are_classified(string address, string block)
    {
        Assert.Equal(block, PrivateNetworks.Classify(IPAddress.Parse(address))?.Name);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("198.51.100.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2001:db8::1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_not(string address)
    {
        Assert.Null(PrivateNetworks.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    public void Every_spelling_of_loopback_is_refused_unless_a_seed_is_on_it(string url)
    {
        var host = new Uri(url).IdnHost.Trim('[', ']');
        var address = IPAddress.Parse(host);
        var guard = new ConnectionGuard(Options.Create(new CrawlOptions()));
        Assert.NotNull(guard.Refusal(host, address));

        guard.AllowSeed(new Uri("http://127.0.0.1:8080/"));
        Assert.Null(guard.Refusal(host, address));
        // Allowing loopback does not allow the rest of the private space.
        Assert.NotNull(guard.Refusal("10.0.0.1", IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void A_seed_name_on_a_private_network_allows_its_block_and_allow_private_allows_all()
    {
        var guard = new ConnectionGuard(Options.Create(new CrawlOptions()));
        guard.AllowSeed(new Uri("http://intranet.example/"));
        Assert.NotNull(guard.Refusal("other.example", IPAddress.Parse("10.1.2.3")));
        Assert.Null(guard.Refusal("intranet.example", IPAddress.Parse("10.9.9.9")));
        Assert.Null(guard.Refusal("other.example", IPAddress.Parse("10.1.2.3")));

        var open = new ConnectionGuard(Options.Create(new CrawlOptions { AllowPrivate = true }));
        Assert.Null(open.Refusal("metadata", IPAddress.Parse("169.254.169.254")));
    }
}
