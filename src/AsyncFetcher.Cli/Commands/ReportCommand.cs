using System.CommandLine;
using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Cli.Commands;

/// <summary><c>asyncfetch report RECORDS -o report.html</c>: the HTML report (and summary) of an earlier crawl, from its JSONL records.</summary>
internal static class ReportCommand
{
    public static readonly IReadOnlyList<string> Examples =
    [
        "asyncfetch crawl urls.txt -o records.jsonl",
        "asyncfetch report records.jsonl -o report.html                 # the same report --report writes",
        "asyncfetch report - -o report.html --summary-json s.json < records.jsonl",
    ];

    public static Command Create()
    {
        var records = new Argument<string>("records") { Description = "Records in JSON Lines, as 'asyncfetch crawl' writes them, or - for standard input" };
        var output = new Option<string>("--output", "-o") { Description = "Write the HTML report to FILE", HelpName = "file", Required = true };
        var summaryJson = new Option<string>("--summary-json") { Description = "Also write the summary as JSON to FILE", HelpName = "file" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print no summary on standard error" };
        var command = new Command("report", "Build the HTML report and summary of an earlier crawl from its JSONL records") { records, output, summaryJson, quiet };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(records)!, parse.GetValue(output)!, parse.GetValue(summaryJson), parse.GetValue(quiet), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string source, string outputPath, string? summaryJsonPath, bool quiet, CancellationToken cancellationToken)
    {
        var summary = new CrawlSummary();
        try
        {
            using var reader = source == "-" ? null : new StreamReader(source);
            await foreach (var result in JsonlResultReader.ReadAsync(reader ?? Console.In, source == "-" ? "stdin" : source, cancellationToken))
            {
                summary.Add(result);
            }
        }
        catch (InvalidDataException e)
        {
            return ExitCodes.Usage(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return ExitCodes.Usage($"cannot read '{source}': {FileErrors.Describe(e)}");
        }

        // The files are opened only once the records have been read, so bad input leaves no empty report behind.
        var files = ReportFiles.Open(summaryJsonPath, outputPath, out var error);
        if (files is null)
        {
            return ExitCodes.Fatal(error!);
        }
        var report = summary.ToReport(new SummaryRun
        {
            Output = new OutputSummary { Records = source == "-" ? "standard input" : source, Format = "jsonl", SummaryJson = summaryJsonPath, Report = outputPath },
        });
        await using (files)
        {
            try
            {
                await files.WriteAsync(report, cancellationToken);
            }
            catch (IOException e)
            {
                return ExitCodes.Fatal($"cannot write the report: {e.Message}");
            }
        }
        if (!quiet)
        {
            await Console.Error.WriteLineAsync("asyncfetch: " + SummaryText.Format(report));
        }
        return ExitCodes.Ok;
    }
}
