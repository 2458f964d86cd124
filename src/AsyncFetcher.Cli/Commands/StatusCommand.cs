using System.CommandLine;
using AsyncFetcher.Core.Storage;
using StackExchange.Redis;

namespace AsyncFetcher.Cli.Commands;

/// <summary><c>asyncfetch status --frontier redis://... --crawl-id ID</c>: what a shared crawl holds now, totals then per host and per worker.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var frontier = new Option<string>("--frontier") { Description = "The shared frontier: redis://host:port/db", Required = true };
        var crawlId = new Option<string>("--crawl-id") { Description = "The crawl's name", Required = true };
        var command = new Command("status", "Show a shared crawl's queued, leased, done and failed URLs, per host and per worker") { frontier, crawlId };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(frontier)!, parse.GetValue(crawlId)!));
        return command;
    }

    private static async Task<int> RunAsync(string frontier, string crawlId)
    {
        if (!RedisAddress.TryParse(frontier, out var configuration, out var error))
        {
            return ExitCodes.Usage($"--frontier {error}");
        }
        if (!RedisKeys.IsValidCrawlId(crawlId))
        {
            return ExitCodes.Usage($"--crawl-id must be 1-100 letters, digits, '.', '_', '-' or ':' (got '{crawlId}')");
        }
        var address = RedisAddress.Redact(frontier);
        configuration.ConnectTimeout = 5000;
        CrawlStatus? status;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            status = await RedisStatus.ReadAsync(connection.GetDatabase(), new RedisKeys(crawlId));
        }
        catch (RedisConnectionException)
        {
            return ExitCodes.Fatal($"cannot connect to redis at {address}");
        }
        catch (RedisException e)
        {
            return ExitCodes.Fatal($"cannot read redis at {address}: {e.Message}");
        }
        if (status is null)
        {
            return ExitCodes.Usage($"no crawl '{crawlId}' in redis at {address}");
        }

        Console.WriteLine($"crawl {crawlId} in {address}: {(status.Finished ? "finished" : "running")}");
        Console.WriteLine($"queued  {status.Queued}");
        Console.WriteLine($"leased  {status.Leased}");
        Console.WriteLine($"done    {status.Done}");
        Console.WriteLine($"failed  {status.Failed}");
        Console.WriteLine($"seen    {status.Seen}");
        if (status.Hosts.Count > 0)
        {
            var width = Math.Max(4, status.Hosts.Max(h => h.Host.Length));
            Console.WriteLine();
            Console.WriteLine($"{"host".PadRight(width)}  {"queued",8}  {"leased",8}  {"done",8}  {"failed",8}");
            foreach (var host in status.Hosts)
            {
                Console.WriteLine($"{host.Host.PadRight(width)}  {host.Queued,8}  {host.Leased,8}  {host.Done,8}  {host.Failed,8}");
            }
        }
        if (status.Workers.Count > 0)
        {
            var width = Math.Max(6, status.Workers.Max(w => w.Worker.Length));
            Console.WriteLine();
            Console.WriteLine($"{"worker".PadRight(width)}  {"leased",8}");
            foreach (var (worker, leased) in status.Workers)
            {
                Console.WriteLine($"{worker.PadRight(width)}  {leased,8}");
            }
        }
        return ExitCodes.Ok;
    }
}
