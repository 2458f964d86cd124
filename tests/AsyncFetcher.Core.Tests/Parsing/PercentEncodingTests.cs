using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Tests.Parsing;

public sealed class PercentEncodingTests
{
    [Theory]
    [InlineData("/%7e%7E~", "/~~~")]
    [InlineData("/%41%7a%30%2D%2e%5F", "/Az0-._")]
    [InlineData("/%2f%3a%e3%83%84", "/%2F%3A%E3%83%84")]
    [InlineData("/%zz%2", "/%zz%2")]
    [InlineData("/plain?x=1", "/plain?x=1")]
    public void Decodes_unreserved_escapes_and_upper_cases_the_rest(string input, string expected) =>
        Assert.Equal(expected, PercentEncoding.Normalize(input, escapeRawChars: false));

    [Theory]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/ツ", "/%E3%83%84")]
    [InlineData("/😀", "/%F0%9F%98%80")]
    [InlineData("/100%", "/100%25")]
    [InlineData("/a\"<>\\^`{|}", "/a%22%3C%3E%5C%5E%60%7B%7C%7D")]
    [InlineData("/*.gif$", "/*.gif$")]
    [InlineData("/%7efoo%2f", "/~foo%2F")]
    public void Escaping_mode_also_encodes_what_uri_would_encode(string input, string expected) =>
        Assert.Equal(expected, PercentEncoding.Normalize(input, escapeRawChars: true));

    [Fact]
    public void Escaping_mode_encodes_a_lone_surrogate_as_the_replacement_character()
    {
        // Built at run time: attribute metadata cannot hold a lone surrogate.
        string input = "/" + (char)0xD800 + "x";
        Assert.Equal("/%EF%BF%BDx", PercentEncoding.Normalize(input, escapeRawChars: true));
    }

    [Theory]
    [InlineData("/a/b?c=%2F", false)]
    [InlineData("/a/b?c=%2F", true)]
    [InlineData("", true)]
    public void Returns_the_same_instance_when_already_normal(string input, bool escapeRawChars) =>
        Assert.Same(input, PercentEncoding.Normalize(input, escapeRawChars));
}
