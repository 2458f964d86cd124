using System.Globalization;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// A queued request as one Redis string: <c>url TAB depth TAB scope-host TAB parent</c>. The URL comes
/// first so Lua scripts find the key with one match; normalised URLs never hold a tab.
/// </summary>
internal static class FrontierEntry
{
    public static string Encode(CrawlRequest request) =>
        string.Join('\t', request.Key, request.Depth.ToString(CultureInfo.InvariantCulture), request.ScopeHost, request.Parent ?? "");

    public static CrawlRequest Decode(string entry)
    {
        var fields = entry.Split('\t');
        if (fields.Length != 4 || !Uri.TryCreate(fields[0], UriKind.Absolute, out var url) || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var depth))
        {
            throw new InvalidDataException($"not a frontier entry: '{entry}'");
        }
        return new CrawlRequest(url, depth, fields[3].Length == 0 ? null : fields[3], fields[2]);
    }

    /// <summary>The URL key of an entry, without decoding the rest.</summary>
    public static string KeyOf(string entry)
    {
        var tab = entry.IndexOf('\t', StringComparison.Ordinal);
        return tab < 0 ? entry : entry[..tab];
    }
}
