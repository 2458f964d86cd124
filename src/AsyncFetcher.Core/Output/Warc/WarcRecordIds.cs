namespace AsyncFetcher.Core.Output.Warc;

/// <summary>WARC-Record-IDs: random UUID URNs, as wget and warcio write them.</summary>
internal static class WarcRecordIds
{
    /// <summary>A new record id, angle brackets included (<c>&lt;urn:uuid:…&gt;</c>).</summary>
    public static string New() => $"<urn:uuid:{Guid.NewGuid()}>";
}
