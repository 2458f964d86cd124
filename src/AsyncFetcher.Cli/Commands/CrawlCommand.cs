using System.CommandLine;
using AsyncFetcher.Cli.Hosting;
using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Cli.Commands;

/// <summary><c>asyncfetch crawl SEEDS... [options]</c>: crawl from seed files, URLs or standard input, one record per URL.</summary>
internal static class CrawlCommand
{
    public static readonly IReadOnlyList<string> Examples =
    [
        "asyncfetch crawl https://example.org/ --depth 2 -o out.jsonl",
        "asyncfetch crawl urls.txt --max 20 --max-per-host 2 --delay 500ms",
        "cat urls.txt | asyncfetch crawl - --format csv > out.csv",
        "asyncfetch crawl https://example.org/ --max-pages 500 --report report.html --summary-json summary.json",
        "ASYNCFETCH_CRAWL__MAX=50 asyncfetch crawl urls.txt       # any setting from the environment",
        "asyncfetch crawl urls.txt --config crawl.json            # or from a JSON file: { \"Crawl\": { \"Max\": 50 } }",
    ];

    public static Command Create()
    {
        var seeds = new Argument<string[]>("seeds")
        {
            Description = "Files of URLs (one per line, # comments), URLs, or - for standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        var flags = new CrawlFlags();
        var command = new Command("crawl", "Crawl from seed URLs, following links, and write one record per URL") { seeds };
        flags.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, flags, parse.GetValue(seeds) ?? [], cancellationToken));
        return command;
    }

    /// <summary>Runs a crawl with the given flags and seed sources; shared by <c>crawl</c> and <c>demo crawl</c>.</summary>
    public static async Task<int> RunAsync(ParseResult parse, CrawlFlags flags, IReadOnlyList<string> seedSources, CancellationToken cancellationToken)
    {
        var configuration = flags.ToConfiguration(parse, out var flagError);
        if (flagError is not null)
        {
            return ExitCodes.Usage(flagError);
        }
        var configFile = parse.GetValue(flags.Config);
        if (configFile is not null && !File.Exists(configFile))
        {
            return ExitCodes.Usage($"cannot read '{configFile}': no such file");
        }

        var unknown = seedSources.FirstOrDefault(s => s.Length > 1 && s[0] == '-');
        if (unknown is not null)
        {
            return ExitCodes.Usage($"unknown option '{unknown}'", parse);
        }

        IHost host;
        CrawlOptions options;
        try
        {
            host = CrawlHost.Build(configuration, configFile, parse.GetValue(flags.Quiet));
            // Binding and validation happen here, once, before the host starts or any request is sent.
            options = host.Services.GetRequiredService<IOptions<CrawlOptions>>().Value;
            await host.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException e)
        {
            return ExitCodes.Usage(e.Failures.First());
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException)
        {
            return ExitCodes.Usage($"configuration: {Innermost(e).Message}");
        }

        using (host)
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("asyncfetch");
            var seedList = await ReadSeedsAsync(seedSources, options, logger, cancellationToken);
            if (seedList.Error is not null)
            {
                return ExitCodes.Usage(seedList.Error);
            }
            if (seedList.Urls.Count == 0)
            {
                return ExitCodes.Usage("no seed URLs to crawl");
            }

            IFrontier frontier;
            try
            {
                frontier = host.Services.GetRequiredService<IFrontier>();
            }
            catch (InvalidDataException e)
            {
                return ExitCodes.Usage($"cannot use state '{options.State}': {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ExitCodes.Fatal($"cannot use state '{options.State}': {Describe(e)}");
            }
            var checkpoint = await frontier.CheckpointAsync(cancellationToken);

            IResultWriter writer;
            OutputCursor? cursor;
            try
            {
                (writer, cursor) = OpenOutput(options, checkpoint, logger);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return ExitCodes.Fatal($"cannot write '{options.Output}': {Describe(e)}");
            }

            var engine = host.Services.GetRequiredService<CrawlEngine>();
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            var reporting = CrawlReporting.Open(options, parse.GetValue(flags.Quiet), () => engine.Stats, TimeProvider.System, out var reportError);
            if (reporting is null)
            {
                await writer.DisposeAsync();
                return ExitCodes.Fatal(reportError!);
            }
            await using (reporting)
            {
                await using (writer)
                {
                    try
                    {
                        reporting.Start();
                        await foreach (var result in engine.RunAsync(seedList.Urls, cursor, lifetime.ApplicationStopping))
                        {
                            reporting.Add(result);
                            await writer.WriteAsync(result, CancellationToken.None);
                        }
                    }
                    catch (IOException e)
                    {
                        return ExitCodes.Fatal($"cannot write '{OutputName(options)}': {e.Message}");
                    }
                }
                try
                {
                    var stoppedEarly = engine.Stats.Stopped || lifetime.ApplicationStopping.IsCancellationRequested;
                    var summary = await reporting.FinishAsync(OutputName(options), stoppedEarly, CancellationToken.None);
                    logger.LogInformation("{Summary}", SummaryText.Format(summary));
                    if (stoppedEarly && !string.IsNullOrEmpty(options.State))
                    {
                        logger.LogInformation("state saved in {State}: run the same command again to continue", options.State);
                    }
                }
                catch (IOException e)
                {
                    return ExitCodes.Fatal($"cannot write the summary or report: {e.Message}");
                }
            }

            await host.StopAsync(CancellationToken.None);
            return host.Services.GetRequiredService<SignalLifetime>().ExitCode ?? ExitCodes.Ok;
        }
    }

    private static async Task<(List<Uri> Urls, string? Error)> ReadSeedsAsync(IReadOnlyList<string> sources, CrawlOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var urls = new List<Uri>();
        foreach (var source in sources)
        {
            if (source.Contains("://", StringComparison.Ordinal))
            {
                Add(SeedReader.Parse(source, "argument", options.MaxUrlLength));
                continue;
            }
            TextReader reader;
            try
            {
                reader = source == "-" ? Console.In : new StreamReader(source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return (urls, $"cannot read '{source}': {Describe(e)}");
            }
            using (source == "-" ? null : reader)
            {
                try
                {
                    await foreach (var line in SeedReader.ReadAsync(reader, source == "-" ? "stdin" : source, options.MaxUrlLength, cancellationToken))
                    {
                        Add(line);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return (urls, $"cannot read '{source}': {Describe(e)}");
                }
            }
        }
        return (urls, null);

        void Add(SeedLine line)
        {
            if (line.Url is not null)
            {
                urls.Add(line.Url);
            }
            else
            {
                logger.LogWarning("{Warning}", line.Warning);
            }
        }
    }

    /// <summary>
    /// Opens the output: standard output, or a file, truncated, unless a crawl with a state file
    /// resumes: then it is cut back to the last saved page and appended to, and its length is
    /// saved with each page (the cursor).
    /// </summary>
    private static (IResultWriter Writer, OutputCursor? Cursor) OpenOutput(CrawlOptions options, CrawlCheckpoint checkpoint, ILogger logger)
    {
        var toStdout = string.IsNullOrEmpty(options.Output) || options.Output == "-";
        Stream stream;
        OutputCursor? cursor = null;
        if (toStdout)
        {
            stream = Console.OpenStandardOutput();
        }
        else if (string.IsNullOrEmpty(options.State))
        {
            stream = new FileStream(options.Output, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        }
        else
        {
            var (file, cut) = OutputFile.OpenForResume(options.Output, checkpoint);
            if (cut > 0)
            {
                logger.LogInformation("{Output}: cut {Bytes} byte(s) written after the last saved page; those pages are fetched again", options.Output, cut);
            }
            stream = file;
            cursor = new OutputCursor(Path.GetFullPath(options.Output), () => file.Length);
        }
        IResultWriter writer = options.Format == OutputFormat.Csv
            ? new CsvResultWriter(stream, ownsStream: !toStdout, writeHeader: toStdout || stream.Length == 0)
            : new JsonlResultWriter(stream, ownsStream: !toStdout);
        return (writer, cursor);
    }

    private static string OutputName(CrawlOptions options) =>
        string.IsNullOrEmpty(options.Output) || options.Output == "-" ? "standard output" : options.Output;

    /// <summary>A file error in a user's words: "no such file", "permission denied", ...</summary>
    internal static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
