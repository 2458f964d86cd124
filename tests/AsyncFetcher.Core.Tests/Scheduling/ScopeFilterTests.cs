using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Tests.Scheduling;

public sealed class ScopeFilterTests
{
    [Theory]
    [InlineData(CrawlScope.Host, "http://www.example.com/x", true)]
    [InlineData(CrawlScope.Host, "http://docs.example.com/x", false)]
    [InlineData(CrawlScope.Domain, "http://docs.example.com/x", true)]
    [InlineData(CrawlScope.Domain, "http://example.com/x", true)]
    [InlineData(CrawlScope.Domain, "http://notexample.com/x", false)]
    [InlineData(CrawlScope.Domain, "http://example.org/x", false)]
    [InlineData(CrawlScope.Any, "http://example.org/x", true)]
    public void Scope_decides_which_hosts_are_followed(CrawlScope scope, string link, bool followed)
    {
        var filter = new ScopeFilter(new CrawlOptions { Scope = scope });
        var parent = new CrawlRequest(new Uri("http://www.example.com/"), 0, null, "www.example.com");

        Assert.Equal(followed, filter.Allows(parent, new Uri(link)));
    }

    [Theory]
    [InlineData("www.example.co.uk", "example.co.uk")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void Registrable_domain_knows_common_two_label_suffixes(string host, string domain) =>
        Assert.Equal(domain, RegistrableDomain.Of(host));
}
