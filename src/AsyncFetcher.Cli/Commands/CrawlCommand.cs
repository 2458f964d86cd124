using System.CommandLine;
using AsyncFetcher.Cli.Hosting;
using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Output.Summary;
using AsyncFetcher.Core.Parsing;
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
        // Polly checks the pipeline's options by reflection the first time one is built; that costs a few
        // milliseconds on one core before the first request, so the second core pays it while the host is built.
        _ = Task.Run(ResilienceSetup.Warm, CancellationToken.None);
        var (host, exit) = await StartHostAsync(parse, flags, seedSources, cancellationToken);
        if (host is null)
        {
            return exit;
        }
        using (host)
        {
            var options = host.Services.GetRequiredService<IOptions<CrawlOptions>>().Value;
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("asyncfetch");
            // From here on, lines go through the logger, so each comes after the warnings logged before it.
            var seeds = await ReadSeedsAsync(seedSources, options, logger, cancellationToken);
            if (seeds.Error is not null)
            {
                return ExitCodes.Fail(logger, seeds.Error, ExitCodes.BadUsage);
            }
            if (seeds.Urls.Count == 0)
            {
                return ExitCodes.Fail(logger, "no seed URLs to crawl", ExitCodes.BadUsage);
            }
            CrawlSession session;
            try
            {
                session = await CrawlSession.OpenAsync(host.Services, Console.OpenStandardOutput, logger, cancellationToken, CommandLine());
            }
            catch (CrawlSetupException e)
            {
                return ExitCodes.Fail(logger, e.Message, e.BadInput ? ExitCodes.BadUsage : ExitCodes.FatalError);
            }
            return await CrawlAsync(host, session, seeds.Urls, parse.GetValue(flags.Quiet), logger);
        }
    }

    /// <summary>
    /// Builds and starts the host: flags, --config and settings bound to <see cref="CrawlOptions"/> and
    /// validated once, before any request is sent. On bad usage, no host and the exit code.
    /// </summary>
    private static async Task<(IHost? Host, int Exit)> StartHostAsync(ParseResult parse, CrawlFlags flags, IReadOnlyList<string> seedSources, CancellationToken cancellationToken)
    {
        var configuration = flags.ToConfiguration(parse, out var flagError);
        if (flagError is not null)
        {
            return (null, ExitCodes.Usage(flagError));
        }
        var configFile = parse.GetValue(flags.Config);
        if (configFile is not null && !File.Exists(configFile))
        {
            return (null, ExitCodes.Usage($"cannot read '{configFile}': no such file"));
        }
        var unknown = seedSources.FirstOrDefault(s => s.Length > 1 && s[0] == '-');
        if (unknown is not null)
        {
            return (null, ExitCodes.Usage(ParseErrors.Unknown(unknown, parse.CommandResult.Command), parse));
        }
        try
        {
            var host = CrawlHost.Build(configuration, configFile, parse.GetValue(flags.Quiet));
            // Binding and validation happen here, once, before the host starts or any request is sent.
            _ = host.Services.GetRequiredService<IOptions<CrawlOptions>>().Value;
            await host.StartAsync(cancellationToken);
            return (host, ExitCodes.Ok);
        }
        catch (OptionsValidationException e)
        {
            return (null, ExitCodes.Usage(flags.EchoTyped(e.Failures.First())));
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException)
        {
            return (null, ExitCodes.Usage($"configuration: {Innermost(e).Message}"));
        }
    }

    /// <summary>
    /// Crawls, with progress while it runs and the summary and report files at the end; returns the exit code:
    /// the signal's after Ctrl+C or SIGTERM, 1 when the output or the frontier failed (one line, no summary),
    /// 4 when not one page could be fetched, else 0.
    /// </summary>
    private static async Task<int> CrawlAsync(IHost host, CrawlSession session, IReadOnlyList<Uri> seeds, bool quiet, ILogger logger)
    {
        var options = host.Services.GetRequiredService<IOptions<CrawlOptions>>().Value;
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var signals = host.Services.GetRequiredService<SignalLifetime>();
        var reporting = CrawlReporting.Open(options, quiet, () => session.Stats, TimeProvider.System, out var reportError);
        if (reporting is null)
        {
            await session.DisposeAsync();
            return ExitCodes.Fail(logger, reportError!);
        }
        await using (reporting)
        {
            signals.Watch(() => session.Stats);
            string? failure = null;
            await using (session)
            {
                try
                {
                    reporting.Start();
                    NativeHeap.MapLargeBlocks();
                    var records = 0;
                    await foreach (var result in session.RunAsync(seeds, lifetime.ApplicationStopping))
                    {
                        reporting.Add(result);
                        // A few pages in, start-up's code is behind us (a crawl of one page never pays for this).
                        if (++records == 10)
                        {
                            StartupPages.ReleaseInBackground();
                        }
                    }
                }
                catch (CrawlFailedException e)
                {
                    failure = e.Message;
                }
            }
            if (failure is not null)
            {
                await reporting.StopProgressAsync();
                return ExitCodes.Fail(logger, failure);
            }
            SummaryReport summary;
            try
            {
                var stoppedEarly = session.Stats.Stopped || lifetime.ApplicationStopping.IsCancellationRequested;
                summary = await reporting.FinishAsync(session.OutputName, stoppedEarly, CancellationToken.None);
                logger.LogInformation("{Summary}", SummaryText.Format(summary));
                if (stoppedEarly && !string.IsNullOrEmpty(options.State))
                {
                    logger.LogInformation("state saved in {State}: run the same command again to continue", options.State);
                }
            }
            catch (IOException e)
            {
                return ExitCodes.Fail(logger, e.Message);
            }
            if (signals.ExitCode is null && summary.Pages > 0 && summary.StatusClasses.NoResponse == summary.Pages)
            {
                var reasons = string.Join(", ", summary.Errors.Take(3).Select(e => $"{e.Error} ×{e.Count}"));
                return ExitCodes.Fail(logger, $"not one page could be fetched ({reasons})", ExitCodes.NothingFetched);
            }
        }

        await host.StopAsync(CancellationToken.None);
        return signals.ExitCode ?? ExitCodes.Ok;
    }

    private static async Task<(List<Uri> Urls, string? Error)> ReadSeedsAsync(IReadOnlyList<string> sources, CrawlOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var urls = new List<Uri>();
        for (var argument = 1; argument <= sources.Count; argument++)
        {
            var source = sources[argument - 1];
            if (source.Contains("://", StringComparison.Ordinal))
            {
                Add(SeedReader.Parse(source, $"argument {argument}", options.MaxUrlLength));
                continue;
            }
            TextReader reader;
            try
            {
                reader = source == "-" ? Console.In : new StreamReader(source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Not a file: perhaps a URL typed without its scheme.
                var hint = e is FileNotFoundException or DirectoryNotFoundException && SeedReader.Hint(source) is { } guess ? $" ({guess})" : "";
                return (urls, FileErrors.Line("cannot read", source, e) + hint);
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
                    return (urls, FileErrors.Line("cannot read", source, e));
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
            if (line.Warning is not null)
            {
                logger.LogWarning("{Warning}", line.Warning);
            }
        }
    }

    /// <summary>The command as it was typed, for the WARC's warcinfo record: passwords in URLs masked, as everywhere a URL is written.</summary>
    private static string[] CommandLine() =>
        ["asyncfetch", .. Environment.GetCommandLineArgs().Skip(1).Select(UrlRedaction.RedactText)];

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
