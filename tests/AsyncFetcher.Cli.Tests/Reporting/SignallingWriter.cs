namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>A StringWriter that signals each flush, so a test waits for output instead of sleeping.</summary>
internal sealed class SignallingWriter : StringWriter
{
    private readonly SemaphoreSlim flushed = new(0);

    public override Task FlushAsync()
    {
        flushed.Release();
        return Task.CompletedTask;
    }

    /// <summary>Waits for the next flush; the timeout only guards against a hang, it is not a delay.</summary>
    public async Task WaitForFlushAsync()
    {
        Assert.True(await flushed.WaitAsync(TimeSpan.FromSeconds(30)), "no output was flushed");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            flushed.Dispose();
        }
        base.Dispose(disposing);
    }
}
