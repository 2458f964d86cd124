namespace AsyncFetcher.Cli.Demos;

/// <summary>The numbers a demo printed; each demo returns its own record derived from this.</summary>
internal abstract record DemoResult;
