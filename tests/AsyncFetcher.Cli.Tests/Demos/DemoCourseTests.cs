using AsyncFetcher.Cli.Demos;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Demos;

/// <summary>
/// <c>asyncfetch demo</c> with no name runs the whole course: the runner in-process with demos written here,
/// and the real binary, to the end and interrupted by a real SIGINT.
/// </summary>
public sealed class DemoCourseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_runner_shows_each_demo_under_its_chapter_with_its_takeaway_and_ends_with_what_to_read()
    {
        var first = new FakeDemo("first");
        var second = new FakeDemo("second");
        CourseChapter[] chapters = [new("01-one.md", "1. One", [first]), new("02-none.md", "2. None", [], "  (no demo)"), new("03-two.md", "3. Two", [second])];
        using var output = new StringWriter();

        var ran = await DemoCourse.RunAsync(chapters, output, CancellationToken.None);

        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(2, ran);
        Assert.True(first.Ran && second.Ran);
        string[] expectedOrder =
        [
            "== 1. One   (docs/01-one.md)", "-- asyncfetch demo first: the first demo", "numbers of first", "=> what first showed",
            "== 2. None   (docs/02-none.md)", "(no demo)",
            "== 3. Two   (docs/03-two.md)", "-- asyncfetch demo second: the second demo", "numbers of second", "=> what second showed",
        ];
        Assert.Equal(expectedOrder, lines.Where(l => expectedOrder.Contains(l)));
        Assert.Contains(lines, l => l.StartsWith("Read next: docs/01-one.md", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_course_between_two_demos()
    {
        using var interrupt = new CancellationTokenSource();
        // The first demo ends normally, but Ctrl+C came while it ran: the second must not start.
        var first = new FakeDemo("first", interrupt.Cancel);
        var second = new FakeDemo("second");
        using var output = new StringWriter();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DemoCourse.RunAsync([new("01-one.md", "1. One", [first, second])], output, interrupt.Token));

        Assert.True(first.Ran);
        Assert.False(second.Ran);
        Assert.DoesNotContain("Read next", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_binary_runs_every_demo_in_chapter_order_offline()
    {
        var run = await CliRunner.RunAsync(["demo"], timeout: TimeSpan.FromMinutes(5));

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.StdoutLines;
        var headings = lines.Where(l => l.StartsWith("== ", StringComparison.Ordinal)).ToList();
        Assert.Equal(DemoCatalog.Chapters.Select(c => $"== {c.Title}   (docs/{c.Page})"), headings);
        var demos = lines.Where(l => l.StartsWith("-- asyncfetch demo ", StringComparison.Ordinal)).Select(l => l["-- asyncfetch demo ".Length..].Split(':')[0]);
        Assert.Equal(DemoCatalog.All.Select(d => d.Name), demos);
        Assert.Equal(DemoCatalog.All.Select(d => "=> " + d.Takeaway), lines.Where(l => l.StartsWith("=> ", StringComparison.Ordinal)));
        Assert.StartsWith("Read next: docs/01-async-await.md", lines.Single(l => l.StartsWith("Read next", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_course_inside_a_demo_with_exit_130()
    {
        // when-all spends two seconds awaiting requests one by one: the signal lands inside it.
        var run = await InterruptAsync(["demo", "all"], "20 requests; the server answers each after 100 ms.");

        Assert.Equal(130, run.ExitCode);
        Assert.Contains("asyncfetch: demo interrupted", run.StderrLines);
        Assert.DoesNotContain("That was the course", run.Stdout, StringComparison.Ordinal);
        Assert.True(run.StdoutLines.Count(l => l.StartsWith("=> ", StringComparison.Ordinal)) < DemoCatalog.All.Count);
    }

    [Fact]
    public async Task Ctrl_C_stops_a_single_demo_with_exit_130()
    {
        var run = await InterruptAsync(["demo", "when-all"], "20 requests; the server answers each after 100 ms.");

        Assert.Equal(130, run.ExitCode);
        Assert.Equal(["asyncfetch: demo interrupted"], run.StderrLines);
    }

    /// <summary>Starts the binary, sends it SIGINT once standard output has <paramref name="line"/>, and waits for its exit.</summary>
    private static async Task<CliResult> InterruptAsync(string[] args, string line)
    {
        using var running = RunningCli.Start(args);
        await running.WaitForStdoutAsync(line, Patience);
        await running.SignalAsync("INT");
        return await running.WaitForExitAsync(Patience);
    }

    /// <summary>A demo that prints a line of numbers, and may do something (press Ctrl+C) while it runs.</summary>
    private sealed class FakeDemo(string name, Action? whileRunning = null) : IDemo
    {
        public bool Ran { get; private set; }

        public string Name => name;

        public string Summary => $"the {name} demo";

        public string Takeaway => $"what {name} showed";

        public Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
        {
            Ran = true;
            output.WriteLine($"numbers of {name}");
            whileRunning?.Invoke();
            return Task.FromResult<DemoResult>(new Result());
        }

        private sealed record Result : DemoResult;
    }
}
