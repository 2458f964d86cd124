using AsyncFetcher.Core.Parsing;
using BenchmarkDotNet.Attributes;

namespace Micro;

/// <summary>The crawler's byte scanner against AngleSharp's tokenizer (decode first, then tokenize), per page.</summary>
[MemoryDiagnoser]
public class LinkExtractionBenchmarks
{
    private readonly LinkExtractor extractor = new(followNofollow: false, sortQuery: false, maxUrlLength: 2048);
    private Uri url = null!;
    private byte[] body = null!;

    [ParamsSource(nameof(PageNames))]
    public string Page { get; set; } = "synthetic";

    public static IEnumerable<string> PageNames() => Pages.Names();

    [GlobalSetup]
    public void Setup() => (url, body) = Pages.Load(Page);

    [Benchmark(Baseline = true)]
    public int Tokenizer() => extractor.ExtractWithTokenizer(HtmlDecoder.Decode(body, null), url).Links.Count;

    [Benchmark]
    public int ByteScanner() => extractor.Extract(body, null, url).Links.Count;
}
