using System.Globalization;

namespace AsyncFetcher.Cli.Reporting;

/// <summary>A count with its noun, singular or plural: "1 page", "1,234 pages".</summary>
internal static class Counted
{
    public static string Of(long count, string one, string many) =>
        count.ToString("N0", CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many);
}
