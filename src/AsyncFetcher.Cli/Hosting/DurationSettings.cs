using System.Globalization;
using AsyncFetcher.Core;
using Microsoft.Extensions.Configuration;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Lets configuration files and environment variables say "30s" or "500ms" where a TimeSpan is
/// bound, as the flags do; "00:00:30" still works.
/// </summary>
/// <remarks>
/// The configuration binder parses a TimeSpan with <see cref="TimeSpan.Parse(string, IFormatProvider)"/>;
/// the Native AOT build binds with the source-generated binder, which ignores TypeConverters, so
/// the durations are rewritten in the configuration itself, before either binder reads them.
/// </remarks>
internal static class DurationSettings
{
    private static readonly string[] Keys = typeof(CrawlOptions).GetProperties()
        .Where(p => p.PropertyType == typeof(TimeSpan) || p.PropertyType == typeof(TimeSpan?))
        .Select(p => p.Name)
        .ToArray();

    public static void Normalize(IConfiguration configuration)
    {
        var section = configuration.GetSection(CrawlOptions.Section);
        foreach (var key in Keys)
        {
            var text = section[key];
            if (string.IsNullOrWhiteSpace(text) || TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }
            section[key] = Units.TryParseDuration(text, out var duration)
                ? duration.ToString("c", CultureInfo.InvariantCulture)
                : throw new FormatException($"{CrawlOptions.Section}:{key}: '{text}' is not a duration such as 500ms, 10s, 2m or 00:00:30");
        }
    }
}
