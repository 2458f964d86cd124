using AsyncFetcher.Loopback;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AsyncFetcher.Testing;

/// <summary>
/// WireMock.Net on loopback, for a server that answers by a script — 503 twice, then the page; a 429
/// with Retry-After; an empty response or a malformed chunk (its faults). Scenarios give the order:
/// <c>InScenario(s).WillSetStateTo("up", 2)</c> for the first two answers, <c>WhenStateIs("up")</c> after.
/// Crawl-shaped tests use the loopback site (<see cref="LocalSite"/>) instead.
/// </summary>
public static class Scripted
{
    /// <summary>Starts a server on a free port of 127.0.0.1, with no mappings yet.</summary>
    public static WireMockServer Start() =>
        WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPort.Free()}"] });

    /// <summary>A GET of <paramref name="path"/>.</summary>
    public static IRequestBuilder Get(string path) => Request.Create().WithPath(path).UsingGet();

    /// <summary>An answer with <paramref name="status"/> and no body.</summary>
    public static IResponseBuilder Status(int status) => Response.Create().WithStatusCode(status);

    /// <summary>An HTML page titled <paramref name="title"/>.</summary>
    public static IResponseBuilder Page(string title) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/html; charset=utf-8").WithBody(LocalSite.Html(title, ""));

    /// <summary>The URL of <paramref name="path"/> on the server.</summary>
    public static Uri Url(this WireMockServer server, string path)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new Uri(new Uri(server.Url!), path);
    }

    /// <summary>The requests the server received for <paramref name="path"/>.</summary>
    public static int Requests(this WireMockServer server, string path)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.LogEntries.Count(entry => entry.RequestMessage.Path == path);
    }
}
