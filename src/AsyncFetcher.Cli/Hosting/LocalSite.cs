using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// A static web site served in-process by Kestrel on a free loopback port, for the demos: it can
/// delay every response and counts what it served and the most requests it had in flight at once.
/// </summary>
internal sealed class LocalSite : IAsyncDisposable
{
    private readonly WebApplication app;
    private int inFlight;
    private int peak;
    private int requests;

    private LocalSite(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Requests served so far.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>The most requests the server had in flight at once.</summary>
    public int PeakInFlight => Volatile.Read(ref peak);

    /// <summary>The folder holding the bundled example site (examples/site), next to the binary.</summary>
    public static string ExampleRoot => Path.Combine(AppContext.BaseDirectory, "examples", "site");

    public static async Task<LocalSite> StartAsync(string root, TimeSpan delay, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root, WebRootPath = root });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        LocalSite? site = null;
        app.Use(async (context, next) =>
        {
            site!.Enter();
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, context.RequestAborted);
                }
                await next(context);
            }
            finally
            {
                site.Leave();
            }
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(root) });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root), ServeUnknownFileTypes = true });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site = new LocalSite(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Enter()
    {
        Interlocked.Increment(ref requests);
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
    }

    private void Leave() => Interlocked.Decrement(ref inFlight);
}
