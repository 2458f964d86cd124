namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The registrable domain of a host ("www.example.co.uk" → "example.co.uk"), for --scope domain.
/// No public-suffix list package is served here, so this knows the common two-label suffixes;
/// an unknown one is treated as a single-label suffix.
/// </summary>
internal static class RegistrableDomain
{
    private static readonly HashSet<string> SecondLevel = new(StringComparer.OrdinalIgnoreCase)
    {
        "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "mil", "ltd", "plc", "sch", "nhs", "gob", "nic",
    };

    public static string Of(string host)
    {
        if (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            return host;
        }
        var labels = host.TrimEnd('.').Split('.');
        if (labels.Length <= 2)
        {
            return string.Join('.', labels);
        }
        var take = labels[^1].Length == 2 && SecondLevel.Contains(labels[^2]) ? 3 : 2;
        return string.Join('.', labels[^take..]);
    }

    public static bool SameOrSubdomain(string host, string domain) =>
        host.Equals(domain, StringComparison.OrdinalIgnoreCase) ||
        host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);
}
