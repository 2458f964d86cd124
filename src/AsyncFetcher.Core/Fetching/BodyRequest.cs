namespace AsyncFetcher.Core.Fetching;

/// <summary>What <see cref="BodyReadingHandler"/> should do with a request's body; carried in the request's options.</summary>
/// <param name="KeepAnyType">Keep the body whatever its type (robots.txt); otherwise only HTML is kept in memory.</param>
/// <param name="Save">Write a 2xx body under --save (pages, not robots.txt).</param>
/// <param name="Hash">Take the SHA-1 of the body (with --state: a re-crawl compares it).</param>
/// <param name="Archive">Capture the exchange for the WARC (with --warc).</param>
internal sealed record BodyRequest(bool KeepAnyType, bool Save, bool Hash = false, bool Archive = false)
{
    public static readonly HttpRequestOptionsKey<BodyRequest> Key = new("asyncfetch.body");
}
