using System.Collections.Concurrent;
using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Passwords given in seed URLs (<c>http://user:secret@host/</c>), kept in memory only, by origin and
/// user. The crawl itself sees the seed as <c>http://user:***@host/</c> (<see cref="UrlRedaction"/>).
/// Requests go out without userinfo; with --send-url-credentials, a request to an origin whose seed
/// named a user and password carries them as HTTP Basic authentication, as wget does for the host
/// of a URL with credentials. Passwords found in links on pages are masked and never sent.
/// </summary>
internal sealed class UrlCredentials
{
    private readonly ConcurrentDictionary<string, string> byOriginAndUser = new(StringComparer.Ordinal);

    /// <summary>Keeps the password of <paramref name="seed"/>, if it has one, and returns the seed with it masked.</summary>
    public Uri Keep(Uri seed)
    {
        if (!UrlRedaction.HasPassword(seed))
        {
            return seed;
        }
        var redacted = UrlRedaction.Redact(seed);
        byOriginAndUser[Key(redacted)] = Uri.UnescapeDataString(seed.UserInfo);
        return redacted;
    }

    /// <summary>"user:password" for the origin and user of <paramref name="url"/>, if a seed gave them.</summary>
    public string? Find(Uri url) => url.UserInfo.Length > 0 && byOriginAndUser.TryGetValue(Key(url), out var credential) ? credential : null;

    /// <summary><paramref name="url"/> as it is requested: without userinfo (a URL's credentials go in a header, if at all).</summary>
    public static Uri Strip(Uri url) => url.UserInfo.Length == 0 ? url : new UriBuilder(url) { UserName = "", Password = "" }.Uri;

    private static string Key(Uri url)
    {
        var colon = url.UserInfo.IndexOf(':');
        var user = colon < 0 ? url.UserInfo : url.UserInfo[..colon];
        // The origin without userinfo, as CrawlRequest.HostKey has it: no stripped copy of the URL is built for it.
        return $"{url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)} {user}";
    }
}
