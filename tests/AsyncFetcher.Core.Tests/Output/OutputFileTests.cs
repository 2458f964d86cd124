using System.Text;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Output;

/// <summary>How a resumed crawl reopens its --output file: cut back to what was saved, or trimmed of a torn line.</summary>
public sealed class OutputFileTests : IDisposable
{
    private readonly TempDirectory dir = new("output");

    private string OutputPath => dir.File("out.jsonl");

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("{\"a\":1}\n{\"b\":2}\n{\"c\":", "{\"a\":1}\n{\"b\":2}\n")]
    [InlineData("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n{\"b\":2}\n")]
    [InlineData("{\"torn", "")]
    [InlineData("", "")]
    [InlineData("url,status\r\nhttp://x/,200\r\nhttp://y/,2", "url,status\r\nhttp://x/,200\r\n")]
    public void A_torn_last_line_is_trimmed(string content, string expected)
    {
        File.WriteAllText(OutputPath, content);

        using (var stream = new FileStream(OutputPath, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(content) - Encoding.UTF8.GetByteCount(expected), OutputFile.TrimTornLine(stream));
        }

        Assert.Equal(expected, File.ReadAllText(OutputPath));
    }

    [Fact]
    public void A_torn_line_longer_than_the_read_buffer_is_trimmed_whole()
    {
        var whole = "{\"a\":1}\n";
        File.WriteAllText(OutputPath, whole + "{\"title\":\"" + new string('x', 10_000));

        using (var stream = new FileStream(OutputPath, FileMode.Open, FileAccess.ReadWrite))
        {
            OutputFile.TrimTornLine(stream);
        }

        Assert.Equal(whole, File.ReadAllText(OutputPath));
    }

    [Fact]
    public void A_resumed_crawl_cuts_records_written_after_the_last_saved_page()
    {
        var saved = "{\"url\":\"a\"}\n{\"url\":\"b\"}\n";
        File.WriteAllText(OutputPath, saved + "{\"url\":\"c\"}\n{\"url\":\"d");
        var checkpoint = new CrawlCheckpoint(2, Path.GetFullPath(OutputPath), saved.Length);

        var (stream, cut) = OutputFile.OpenForResume(OutputPath, checkpoint);
        using (stream)
        {
            Assert.Equal(saved.Length, stream.Position);
            stream.Write("{\"url\":\"c\"}\n"u8);
        }

        Assert.Equal(21, cut);
        Assert.Equal(saved + "{\"url\":\"c\"}\n", File.ReadAllText(OutputPath));
    }

    [Fact]
    public void Appending_to_another_file_than_the_saved_one_only_trims_a_torn_line()
    {
        File.WriteAllText(OutputPath, "{\"url\":\"x\"}\n{\"url\":\"y");
        var checkpoint = new CrawlCheckpoint(5, dir.File("earlier.jsonl"), 3);

        var (stream, cut) = OutputFile.OpenForResume(OutputPath, checkpoint);
        stream.Dispose();

        Assert.Equal(9, cut);
        Assert.Equal("{\"url\":\"x\"}\n", File.ReadAllText(OutputPath));
    }

    [Fact]
    public void A_new_crawl_truncates_the_output()
    {
        File.WriteAllText(OutputPath, "{\"url\":\"from another crawl\"}\n");

        var (stream, _) = OutputFile.OpenForResume(OutputPath, CrawlCheckpoint.Empty);
        stream.Dispose();

        Assert.Equal("", File.ReadAllText(OutputPath));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(120L)]
    public void A_device_such_as_dev_null_can_be_the_output_of_a_resumed_crawl(long savedLength)
    {
        var (stream, cut) = OutputFile.OpenForResume("/dev/null", new CrawlCheckpoint(3, "/dev/null", savedLength));
        using (stream)
        {
            stream.Write("{}\n"u8);
        }

        Assert.Equal(0, cut);
    }
}
