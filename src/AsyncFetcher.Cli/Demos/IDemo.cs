namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// One runnable demo of an async concept (<c>asyncfetch demo NAME</c>). It runs offline against a
/// <see cref="DemoSite"/> on loopback, prints what happened with numbers, and returns those numbers,
/// so a test checks the claim rather than the wording.
/// </summary>
internal interface IDemo
{
    /// <summary>The name on the command line, e.g. <c>when-all</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>demo --list</c>.</summary>
    string Summary { get; }

    /// <summary>What the demo showed, in one line: printed after its numbers when the whole course runs.</summary>
    string Takeaway { get; }

    Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken);
}
