namespace AsyncFetcher.Core.Fetching;

/// <summary>What <see cref="BodyReadingHandler"/> should do with a request's body; carried in the request's options.</summary>
/// <param name="KeepAnyType">Keep the body whatever its type (robots.txt); otherwise only HTML is kept in memory.</param>
/// <param name="Save">Write a 2xx body under --save (pages, not robots.txt).</param>
internal sealed record BodyRequest(bool KeepAnyType, bool Save)
{
    public static readonly HttpRequestOptionsKey<BodyRequest> Key = new("asyncfetch.body");
}
