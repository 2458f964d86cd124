using System.Diagnostics;
using System.Text;
using AsyncFetcher.Core.Parsing;

// Link extraction over a folder of HTML pages (by default Debian's python3-doc), old way and new:
//   verify  - the byte scanner and AngleSharp's tokenizer must report the same links, title,
//             robots flags and link count on every page;
//   measure - CPU time and allocations of one pass over all pages, per reader.
// Single-threaded on purpose: it measures the cost per byte, not how well two cores are used.

const string DefaultFolder = "/usr/share/doc/python3.11/html";
var command = args.Length > 0 ? args[0] : "measure";
var folder = args.Length > 1 ? args[1] : DefaultFolder;
if (command is not ("verify" or "measure") || !Directory.Exists(folder))
{
    Console.Error.WriteLine($"usage: LinkScan verify|measure [FOLDER] [RUNS]   (FOLDER defaults to {DefaultFolder}; apt-get install python3-doc)");
    return 2;
}

var pages = Directory.EnumerateFiles(folder, "*.html", SearchOption.AllDirectories)
    .Order(StringComparer.Ordinal)
    .Select(path => (Url: new Uri("http://127.0.0.1:18431/" + Path.GetRelativePath(folder, path).Replace('\\', '/')), Body: File.ReadAllBytes(path)))
    .ToArray();
var totalBytes = pages.Sum(p => (long)p.Body.Length);
Console.WriteLine($"{pages.Length} pages, {totalBytes / 1e6:F1} MB in {folder}");
var extractor = new LinkExtractor(followNofollow: false, sortQuery: false, maxUrlLength: 2048);

if (command == "verify")
{
    int same = 0, handedBack = 0, differ = 0, links = 0;
    foreach (var (url, body) in pages)
    {
        var expected = Describe(extractor.ExtractWithTokenizer(HtmlDecoder.Decode(body, null), url));
        var encoding = HtmlDecoder.DetectEncoding(body, null, out var preamble);
        var page = new PageLinksBuilder(new LinkRules(FollowNofollow: false, SortQuery: false, MaxUrlLength: 2048), url);
        if (!HtmlDecoder.IsAsciiCompatible(encoding) || !HtmlByteScanner.TryScan(body.AsSpan(preamble), encoding, page))
        {
            handedBack++;
            continue;
        }
        var result = page.Build();
        links += result.Links.Count;
        if (Describe(result) == expected)
        {
            same++;
        }
        else
        {
            differ++;
            Console.WriteLine($"DIFFERS {url}\n  tokenizer: {Truncate(expected)}\n  scanner:   {Truncate(Describe(result))}");
        }
    }
    Console.WriteLine($"identical: {same}, differ: {differ}, handed back to the tokenizer: {handedBack}; {links} links");
    return differ == 0 ? 0 : 1;
}

var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
Measure("tokenizer: decode + AngleSharp tokenizer + normalise (the old reader, with today's URL cache)", () =>
{
    var n = 0;
    foreach (var (url, body) in pages)
    {
        n += extractor.ExtractWithTokenizer(HtmlDecoder.Decode(body, null), url).Links.Count;
    }
    return n;
});
Measure("scanner:   byte scanner + normalise (after, what the crawler runs)", () =>
{
    var n = 0;
    foreach (var (url, body) in pages)
    {
        n += extractor.Extract(body, null, url).Links.Count;
    }
    return n;
});
return 0;

void Measure(string name, Func<int> pass)
{
    pass();
    var times = new List<double>();
    long allocated = 0;
    var count = 0;
    for (var run = 0; run < runs; run++)
    {
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        count = pass();
        times.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    }
    times.Sort();
    var median = times[times.Count / 2];
    Console.WriteLine($"{name}\n  CPU {median * 1000:F0} ms per pass (min {times[0] * 1000:F0}, max {times[^1] * 1000:F0}, {runs} runs), {totalBytes / 1e6 / median:F0} MB/s, {allocated / 1e6:F0} MB allocated, {count} links");
}

static string Describe(PageLinks links) =>
    $"title={links.Title ?? "(none)"} found={links.LinksFound} noindex={links.NoIndex} nofollow={links.NoFollow} links=[{string.Join(' ', links.Links)}]";

static string Truncate(string text) => text.Length <= 600 ? text : text[..600] + "...";
