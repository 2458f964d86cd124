using System.Globalization;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// Reads a <c>redis://[user:password@]host[:port][/db]</c> (or <c>rediss://</c> for TLS) address into
/// StackExchange.Redis settings: the client takes "host:port,password=..." strings, users type URLs.
/// </summary>
internal static class RedisAddress
{
    public static bool TryParse(string text, out ConfigurationOptions options, out string error)
    {
        options = new ConfigurationOptions();
        error = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss") || uri.Host.Length == 0)
        {
            error = $"must be a redis://host:port/db address (got '{text}')";
            return false;
        }
        var path = uri.AbsolutePath.Trim('/');
        var database = 0;
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15_999))
        {
            error = $"database must be a number, as in redis://host:6379/0 (got '/{path}')";
            return false;
        }
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
        options.DefaultDatabase = database;
        options.Ssl = uri.Scheme == "rediss";
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            // "redis://:secret@host" is a password alone, as redis-cli -u reads it.
            options.User = user.Length > 0 && password is not null ? user : null;
            options.Password = password ?? user;
        }
        return true;
    }

    /// <summary>The address without its password, for log lines and status output.</summary>
    public static string Redact(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? text.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : text;
}
