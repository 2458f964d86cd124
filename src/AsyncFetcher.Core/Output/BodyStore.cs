using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Output;

/// <summary>
/// Writes 2xx bodies under --save in the layout of <see cref="MirrorPath"/>. A body streams into a
/// temporary file in the save directory while it is read (no second download, nothing buffered
/// whole) and is renamed into place only when the read completed, so a retried or failed attempt
/// leaves no partial file. Saving is best effort: a file that cannot be written is a warning, never
/// a failed fetch.
/// </summary>
/// <remarks>
/// Pages with meta robots noindex are saved too: noindex asks search engines not to list a page; it
/// does not forbid fetching it or keeping a copy, and the body is on disk before it is parsed.
/// </remarks>
internal sealed class BodyStore(IOptions<CrawlOptions> options, ILogger<BodyStore> logger)
{
    private readonly string? root = string.IsNullOrEmpty(options.Value.Save) ? null : Path.GetFullPath(options.Value.Save);

    /// <summary>True when --save is set.</summary>
    public bool Enabled => root is not null;

    /// <summary>Starts saving the body of <paramref name="url"/>; null when saving is off or the file cannot be created.</summary>
    public SavedBody? Begin(Uri url)
    {
        if (root is null)
        {
            return null;
        }
        var temp = Path.Combine(root, $".asyncfetch-{Guid.NewGuid():N}.part");
        try
        {
            Directory.CreateDirectory(root);
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            return new SavedBody(this, url, temp, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn(url, e);
            return null;
        }
    }

    /// <summary>Moves a completed temporary file to its place in the mirror.</summary>
    internal void Commit(Uri url, string temp, bool isHtml)
    {
        try
        {
            try
            {
                Place(temp, MirrorPath.For(url, isHtml));
            }
            catch (IOException) when (File.Exists(temp))
            {
                // A file stands where a directory is needed, or the other way round (/a saved as a
                // file, then /a/b): the body goes to host/%conflicts/, under a name no URL maps to.
                Place(temp, MirrorPath.Flat(url, isHtml, MirrorPath.ConflictsFolder));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn(url, e);
            Discard(temp);
        }
    }

    internal void Warn(Uri url, Exception e) => logger.LogWarning("--save: cannot save {Url}: {Reason}", url, e.Message);

    internal static void Discard(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: a leftover hidden .part file is harmless.
        }
    }

    private void Place(string temp, string[] segments)
    {
        // MirrorPath never yields a separator or a dot segment; checking the result as well means no
        // future change to it can write outside the save directory either.
        var target = Path.GetFullPath(Path.Combine([root!, .. segments]));
        if (!target.StartsWith(Path.TrimEndingDirectorySeparator(root!) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException($"'{target}' is outside the save directory");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(temp, target, overwrite: true);
    }
}
