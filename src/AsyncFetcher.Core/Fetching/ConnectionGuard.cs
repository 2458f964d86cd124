using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Opens every connection the crawler makes (SocketsHttpHandler's <c>ConnectCallback</c>), and
/// refuses private networks (<see cref="PrivateNetworks"/>) unless the crawl was pointed there.
/// </summary>
/// <remarks>
/// The check is made on the addresses actually connected to, after DNS: so every spelling of an
/// address (2130706433, 0x7f000001, 0177.0.0.1, [::ffff:127.0.0.1]) and every name that resolves to
/// one is covered, and a name whose answer changes between two lookups (DNS rebinding) is checked
/// again at each connection. A seed on a private network allows that block for the crawl (so
/// crawling an intranet, or a test server on loopback, works as before); --allow-private allows all.
/// A refused URL fails at once with "private address refused": nothing is sent, nothing retried.
/// </remarks>
internal sealed class ConnectionGuard(IOptions<CrawlOptions> options)
{
    private readonly bool allowAll = options.Value.AllowPrivate;
    private readonly ConcurrentDictionary<PrivateNetworks.Block, bool> allowedBlocks = new();
    private readonly ConcurrentDictionary<string, bool> seedHosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A seed's host may be connected to wherever it is, and its block is allowed to the rest of the crawl.</summary>
    public void AllowSeed(Uri seed)
    {
        var host = seed.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            Allow(literal);
        }
        else
        {
            seedHosts[host] = true;
        }
    }

    /// <summary>Why <paramref name="address"/> may not be connected to for <paramref name="host"/>; null when it may.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        if (allowAll || PrivateNetworks.Classify(address) is not { } block || allowedBlocks.ContainsKey(block))
        {
            return null;
        }
        if (seedHosts.ContainsKey(host))
        {
            allowedBlocks[block] = true;
            return null;
        }
        return $"{address} is in {block}";
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        if (context.InitialRequestMessage.RequestUri is { } target && !string.Equals(target.IdnHost.Trim('[', ']'), host, StringComparison.OrdinalIgnoreCase))
        {
            // Through a proxy (HTTP_PROXY): the proxy is the user's choice and is connected to; the target is
            // checked on the addresses it resolves to here, which is as far as a client behind a proxy can see.
            var targetHost = target.IdnHost.Trim('[', ']');
            await ResolveAllowedAsync(targetHost, cancellationToken).ConfigureAwait(false);
            return await ConnectToAsync(await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false), context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
        }
        return await ConnectToAsync(await ResolveAllowedAsync(host, cancellationToken).ConfigureAwait(false), context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The addresses of <paramref name="host"/> that may be connected to; throws when there are none.</summary>
    private async Task<IPAddress[]> ResolveAllowedAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        // Only the addresses that pass are connected to: a name with a public and a private answer gets the public one.
        var allowed = Array.FindAll(addresses, a => Refusal(host, a) is null);
        if (allowed.Length == 0)
        {
            var why = addresses.Length > 0 ? Refusal(host, addresses[0]) : "no address";
            throw new FetchFailureException(FetchErrors.PrivateAddress, transient: false, new IOException($"{host}: {why}"));
        }
        return allowed;
    }

    private static async Task<Stream> ConnectToAsync(IPAddress[] allowed, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, port, cancellationToken).ConfigureAwait(false);
            return new PeerStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Allow(IPAddress address)
    {
        if (PrivateNetworks.Classify(address) is { } block)
        {
            allowedBlocks[block] = true;
        }
    }
}
