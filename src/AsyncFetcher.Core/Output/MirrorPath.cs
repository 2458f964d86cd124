using System.Security.Cryptography;
using System.Text;

namespace AsyncFetcher.Core.Output;

/// <summary>
/// Maps a URL to a relative file path in a mirror layout: <c>host[_port]/dir/.../name</c>, with
/// <c>index.html</c> for directory URLs and the query kept in the file name. Every segment is a
/// plain name that cannot climb out of the save directory or name a device, whatever the URL holds:
/// <c>/ \ : * ? " &lt; &gt; | %</c> and control characters (NUL included) are percent-encoded, names
/// made only of dots are encoded, Windows device names (CON, NUL, COM1, ...) get their first letter
/// encoded, and a segment longer than <see cref="MaxSegmentBytes"/> UTF-8 bytes is cut and given a
/// hash suffix, so two long names stay apart.
/// </summary>
/// <remarks>
/// HTML whose name does not end in .html or .htm gets ".html" appended (as wget's --adjust-extension
/// does): the copy opens in a browser, and a page <c>/docs</c> (saved as <c>docs.html</c>) no longer
/// collides with the directory <c>docs/</c> that <c>/docs/intro</c> needs.
/// </remarks>
internal static class MirrorPath
{
    /// <summary>The longest segment written, in UTF-8 bytes (most file systems allow 255).</summary>
    public const int MaxSegmentBytes = 200;

    /// <summary>The longest relative path; beyond it the file goes to <c>host/%long/HASH</c>.</summary>
    public const int MaxPathBytes = 2048;

    private const string Forbidden = "/\\:*?\"<>|";
    private static readonly string[] Devices = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];

    /// <summary>The path's segments, the host directory first, the file name last.</summary>
    public static string[] For(Uri url, bool isHtml)
    {
        ArgumentNullException.ThrowIfNull(url);
        var segments = new List<string> { HostSegment(url) };

        var path = url.AbsolutePath.Split('/');
        // path[0] is the empty text before the leading '/'; the last element is the file name, empty for a directory URL.
        for (var i = 1; i < path.Length - 1; i++)
        {
            segments.Add(Finish(Escape(Uri.UnescapeDataString(path[i]), escapePercent: true)));
        }
        var last = path[^1];
        var directory = last.Length == 0;
        // The query stays percent-encoded as it came ('?' and '/' in it are encoded like any forbidden character).
        var name = Escape(directory ? "index" : Uri.UnescapeDataString(last), escapePercent: true) + Escape(url.Query, escapePercent: false);
        var extension = directory || (isHtml && !name.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
            ? ".html"
            : "";
        segments.Add(Finish(name, extension));

        return segments.Sum(s => Encoding.UTF8.GetByteCount(s) + 1) > MaxPathBytes ? Flat(url, isHtml, "%long") : [.. segments];
    }

    /// <summary>The folder for bodies whose mirror path is taken by a directory, or needs a directory where a file is.</summary>
    public const string ConflictsFolder = "%conflicts";

    /// <summary>
    /// <c>host/FOLDER/HASH[.html]</c>: a path for a URL that has no usable mirror path. A folder
    /// name with a bare '%' cannot come out of <see cref="For"/>, so it collides with no URL's path.
    /// </summary>
    public static string[] Flat(Uri url, bool isHtml, string folder)
    {
        ArgumentNullException.ThrowIfNull(url);
        return [HostSegment(url), folder, Hash(url.AbsoluteUri) + (isHtml ? ".html" : "")];
    }

    private static string HostSegment(Uri url) =>
        Finish(Escape((url.IsDefaultPort ? url.IdnHost : $"{url.IdnHost}_{url.Port}").ToLowerInvariant(), escapePercent: true));

    private static string Escape(string text, bool escapePercent)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c < 0x20 || c == 0x7f || Forbidden.Contains(c, StringComparison.Ordinal) || (escapePercent && c == '%'))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>Makes an escaped name safe as one path segment: not empty, not dots, no device name, no trailing dot or space, not too long.</summary>
    private static string Finish(string name, string extension = "")
    {
        if (name.Length == 0)
        {
            // An empty segment (a "//" in the path). A bare '%' cannot come out of Escape, so it collides with nothing.
            name = "%";
        }
        else if (name.All(c => c == '.'))
        {
            name = name.Replace(".", "%2E", StringComparison.Ordinal);
        }
        var full = name + extension;
        var stem = full.Split('.')[0].TrimEnd(' ');
        if (Devices.Contains(stem, StringComparer.OrdinalIgnoreCase))
        {
            full = $"%{(int)full[0]:X2}{full[1..]}";
        }
        if (full[^1] is '.' or ' ')
        {
            full = $"{full[..^1]}%{(int)full[^1]:X2}";
        }
        return Shorten(full, extension);
    }

    private static string Shorten(string name, string extension)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxSegmentBytes)
        {
            return name;
        }
        var suffix = "~" + Hash(name) + extension;
        var budget = MaxSegmentBytes - Encoding.UTF8.GetByteCount(suffix);
        var keep = 0;
        var bytes = 0;
        while (keep < name.Length)
        {
            var width = char.IsHighSurrogate(name[keep]) && keep + 1 < name.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(name.AsSpan(keep, width));
            if (bytes + size > budget)
            {
                break;
            }
            bytes += size;
            keep += width;
        }
        // Do not leave half of a %XX escape at the cut.
        var percent = name.LastIndexOf('%', Math.Max(keep - 1, 0));
        if (percent >= 0 && percent > keep - 3)
        {
            keep = percent;
        }
        var cut = name[..keep];
        return cut.Length > 0 && cut[^1] is '.' or ' ' ? $"{cut[..^1]}_{suffix}" : cut + suffix;
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
}
