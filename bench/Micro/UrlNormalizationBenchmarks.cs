using AsyncFetcher.Core.Parsing;
using BenchmarkDotNet.Attributes;

namespace Micro;

/// <summary>Resolving and normalising one href, as the extractor does for every link it keeps.</summary>
[MemoryDiagnoser]
public class UrlNormalizationBenchmarks
{
    private static readonly Uri Base = new("http://127.0.0.1:8080/library/functions.html");
    private readonly Dictionary<string, Uri?> cache = new(StringComparer.Ordinal);

    [Params("/p/42.html", "../reference/datamodel.html#object.__init__", "stdtypes.html?b=2&a=1", "HTTP://Example.COM:80/a/./b/../c%7e?")]
    public string Href { get; set; } = "";

    [Benchmark(Baseline = true)]
    public bool Normalize() => UrlNormalizer.TryNormalize(Href, Base, sortQuery: false, 2048, out _);

    [Benchmark]
    public bool NormalizeSortingQuery() => UrlNormalizer.TryNormalize(Href, Base, sortQuery: true, 2048, out _);

    /// <summary>A repeated href on one page: the per-page cache answers without building a Uri.</summary>
    [Benchmark]
    public bool NormalizeCachedRepeat() => UrlNormalizer.TryNormalize(Href, Base, sortQuery: false, 2048, cache, out _);

    [Benchmark]
    public string Key()
    {
        UrlNormalizer.TryNormalize(Href, Base, sortQuery: false, 2048, out var url);
        return UrlNormalizer.Key(url!);
    }
}
