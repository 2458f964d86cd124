using System.Globalization;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>
/// The names of a crawl's WARC files: <c>FILE.warc.gz</c> as given, or with <c>--warc-max-size</c>
/// a series <c>FILE-00000.warc.gz</c>, <c>FILE-00001.warc.gz</c>, … as wget names them.
/// </summary>
/// <param name="basePath">The --warc path, full.</param>
/// <param name="rotates">True with --warc-max-size: the files are numbered.</param>
internal sealed class WarcFiles(string basePath, bool rotates)
{
    public const string Extension = ".warc.gz";

    /// <summary>The path of file <paramref name="index"/> of the series.</summary>
    public string PathOf(int index)
    {
        if (!rotates)
        {
            return basePath;
        }
        var stem = basePath.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) ? basePath[..^Extension.Length] : basePath;
        return $"{stem}-{index.ToString("D5", CultureInfo.InvariantCulture)}{Extension}";
    }

    /// <summary>Which file of the series <paramref name="path"/> is; null when it is not one of them.</summary>
    public int? IndexOf(string? path)
    {
        if (path is null)
        {
            return null;
        }
        if (!rotates)
        {
            return string.Equals(path, basePath, StringComparison.Ordinal) ? 0 : null;
        }
        var first = PathOf(0);
        var stem = first[..^(5 + Extension.Length)];
        if (path.Length != first.Length || !path.StartsWith(stem, StringComparison.Ordinal) || !path.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }
        return int.TryParse(path.AsSpan(stem.Length, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>Deletes the files of the series after <paramref name="index"/> (written by a run whose records were not saved); returns how many.</summary>
    public int DeleteAfter(int index)
    {
        var deleted = 0;
        while (rotates && index < 99_999 && File.Exists(PathOf(++index)))
        {
            File.Delete(PathOf(index));
            deleted++;
        }
        return deleted;
    }
}
