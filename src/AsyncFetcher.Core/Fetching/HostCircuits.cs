using System.Collections.Concurrent;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// When each host's circuit breaker lets requests through again, fed by the breakers' own
/// callbacks. The fetcher reads it when a request is refused by an open circuit, so the engine can
/// hold that host's URLs until then instead of burning them as errors.
/// </summary>
internal sealed class HostCircuits(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> openUntil = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The circuit opened, or went half-open (one probe is let through; the rest wait as long again).</summary>
    public void Blocked(Uri? url, TimeSpan duration)
    {
        if (url is not null)
        {
            openUntil[Key(url)] = time.GetUtcNow() + duration;
        }
    }

    public void Closed(Uri? url)
    {
        if (url is not null)
        {
            openUntil.TryRemove(Key(url), out _);
        }
    }

    /// <summary>When the host's circuit next lets a request through; null when not known to be open.</summary>
    public DateTimeOffset? OpenUntil(Uri url) => openUntil.TryGetValue(Key(url), out var until) ? until : null;

    // The same key the pipeline is selected by (SelectPipelineByAuthority): scheme, host and port.
    private static string Key(Uri url) => url.GetLeftPart(UriPartial.Authority);
}
