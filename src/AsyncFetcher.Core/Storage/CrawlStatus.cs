namespace AsyncFetcher.Core.Storage;

/// <summary>What a shared crawl holds now, as <c>asyncfetch status</c> prints it.</summary>
/// <param name="Queued">URLs waiting to be taken.</param>
/// <param name="Leased">URLs taken by a worker and not yet done.</param>
/// <param name="Done">URLs completed (a record was written, or robots.txt excluded them).</param>
/// <param name="Failed">Completed URLs whose record has an error.</param>
/// <param name="Seen">URLs ever queued.</param>
/// <param name="Hosts">The same counts per host, busiest first.</param>
/// <param name="Workers">Leases held per worker id.</param>
internal sealed record CrawlStatus(long Queued, long Leased, long Done, long Failed, long Seen, IReadOnlyList<HostStatus> Hosts, IReadOnlyList<(string Worker, long Leased)> Workers)
{
    /// <summary>Nothing queued and nothing leased: every worker has ended (or will, by itself).</summary>
    public bool Finished => Queued == 0 && Leased == 0;
}
