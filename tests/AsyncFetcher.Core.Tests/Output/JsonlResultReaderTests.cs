using System.Text;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output;

namespace AsyncFetcher.Core.Tests.Output;

public sealed class JsonlResultReaderTests
{
    [Fact]
    public async Task Records_written_as_JSONL_read_back_equal()
    {
        CrawlResult[] records =
        [
            new() { Url = "https://a.example/", FinalUrl = "https://a.example/", Status = 200, Title = "A \"title\"\n<b>", Bytes = 10, ElapsedMs = 5, Attempts = 1, FetchedAt = DateTimeOffset.UnixEpoch.AddDays(20_000) },
            new() { Url = "https://a.example/x", Error = "timeout", Attempts = 4, Depth = 1, Parent = "https://a.example/" },
        ];
        using var stream = new MemoryStream();
        await using (var writer = new JsonlResultWriter(stream, ownsStream: false))
        {
            foreach (var record in records)
            {
                await writer.WriteAsync(record, CancellationToken.None);
            }
        }

        var read = new List<CrawlResult>();
        await foreach (var record in JsonlResultReader.ReadAsync(new StringReader(Encoding.UTF8.GetString(stream.ToArray()) + "\n\n"), "records.jsonl"))
        {
            read.Add(record);
        }

        // Structurally: a record's retries are a list, which records compare by reference.
        Assert.Equivalent(records, read, strict: true);
    }

    [Theory]
    [InlineData("{\"url\":\"https://a.example/\"}\nnot json\n", "records.jsonl:2: not a JSON record")]
    [InlineData("\n{\"status\":200}\n", "records.jsonl:2: not a JSON record")]
    [InlineData("url,finalUrl,status\r\n", "records.jsonl:1: not a JSON record (this looks like CSV")]
    public async Task A_line_that_is_not_a_record_names_the_file_and_line(string text, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in JsonlResultReader.ReadAsync(new StringReader(text), "records.jsonl"))
            {
            }
        });

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
