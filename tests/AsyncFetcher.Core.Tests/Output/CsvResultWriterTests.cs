using System.Globalization;
using System.Text;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output;
using CsvHelper;

namespace AsyncFetcher.Core.Tests.Output;

public sealed class CsvResultWriterTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);

    [Fact]
    public async Task Records_round_trip_through_an_RFC_4180_parser()
    {
        CrawlResult[] records =
        [
            Record("https://a.example/?q=1,2", title: "comma, \"quotes\" and ''", error: null, status: 200),
            Record("https://a.example/lf", title: "line one\nline two", error: null, status: 200),
            Record("https://a.example/crlf", title: "line one\r\nline two\rthree", error: null, status: 404),
            Record("https://a.example/space", title: "  padded  ", error: "x, y", status: null),
            Record("https://a.example/unicode", title: "naïve — 日本語 ✓", error: null, status: 500),
            Record("https://a.example/quote-only", title: "\"", error: "\"\"", status: 301),
            Record("https://a.example/none", title: null, error: "timeout", status: null),
        ];

        var text = await WriteAsync(records);

        var options = new CsvReaderOptions
        {
            HasHeader = true,
            AllowLineBreaksInQuotes = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
        };
        using var reader = CsvReader.FromText(text, options);
        Assert.Equal(CsvResultWriter.Columns, reader.Headers.ToArray());
        var parsed = new List<CrawlResult>();
        while (reader.Read())
        {
            Assert.Equal(CsvResultWriter.Columns.Length, reader.FieldCount);
            parsed.Add(FromFields([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]));
        }
        Assert.Equal(records, parsed);
    }

    [Fact]
    public async Task Rows_end_in_CRLF_and_only_fields_that_need_it_are_quoted()
    {
        var text = await WriteAsync([Record("https://a.example/", title: "Plain", error: null, status: 200), Record("https://a.example/b", title: "a,b", error: null, status: 200)]);

        var header = string.Join(',', CsvResultWriter.Columns);
        Assert.StartsWith(header + "\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var rows = text.Split("\r\n");
        Assert.Equal("https://a.example/,https://a.example/,200,text/html,1234,56,1,https://a.example/parent,2,0,Plain,7,false,,2025-03-04T05:06:07.8910000+00:00,,,,", rows[1]); // worker is empty outside a shared crawl, note when nothing was done to the page, retries when there were none, changed outside a re-crawl
        Assert.Contains(",\"a,b\",", rows[2], StringComparison.Ordinal);
        Assert.False(text.StartsWith('\uFEFF'), "no byte order mark");
    }

    [Fact]
    public async Task A_crawl_with_no_records_still_writes_the_header()
    {
        var text = await WriteAsync([]);

        Assert.Equal(string.Join(',', CsvResultWriter.Columns) + "\r\n", text);
    }

    private static CrawlResult Record(string url, string? title, string? error, int? status) => new()
    {
        Url = url,
        FinalUrl = url,
        Status = status,
        ContentType = "text/html",
        Bytes = 1234,
        ElapsedMs = 56,
        Depth = 1,
        Parent = "https://a.example/parent",
        Attempts = 2,
        Redirects = 0,
        Title = title,
        Links = 7,
        Truncated = false,
        Error = error,
        FetchedAt = At,
    };

    private static async Task<string> WriteAsync(IEnumerable<CrawlResult> records)
    {
        using var stream = new MemoryStream();
        await using (var writer = new CsvResultWriter(stream, ownsStream: false))
        {
            foreach (var record in records)
            {
                await writer.WriteAsync(record, CancellationToken.None);
            }
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The inverse of the writer: CSV has no null, so an empty field reads as null.</summary>
    private static CrawlResult FromFields(string[] f)
    {
        string? Text(int i) => f[i].Length == 0 ? null : f[i];
        int? Int(int i) => f[i].Length == 0 ? null : int.Parse(f[i], CultureInfo.InvariantCulture);
        return new CrawlResult
        {
            Url = f[0],
            FinalUrl = Text(1),
            Status = Int(2),
            ContentType = Text(3),
            Bytes = long.Parse(f[4], CultureInfo.InvariantCulture),
            ElapsedMs = long.Parse(f[5], CultureInfo.InvariantCulture),
            Depth = int.Parse(f[6], CultureInfo.InvariantCulture),
            Parent = Text(7),
            Attempts = int.Parse(f[8], CultureInfo.InvariantCulture),
            Redirects = int.Parse(f[9], CultureInfo.InvariantCulture),
            Title = Text(10),
            Links = Int(11),
            Truncated = bool.Parse(f[12]),
            Error = Text(13),
            FetchedAt = DateTimeOffset.Parse(f[14], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        };
    }
}
