namespace AsyncFetcher.Core.Parsing;

/// <summary>Strings taken from a page or a response into a record (a title, a Content-Type, a Location) are cut to a sane length.</summary>
internal static class RecordText
{
    /// <summary>The most characters of a page's text a record keeps.</summary>
    public const int MaxLength = 1000;

    /// <summary>Appended to a cut string, so a reader knows there was more.</summary>
    public const string Marker = "…";

    /// <summary><paramref name="text"/>, or its first <see cref="MaxLength"/> characters and <see cref="Marker"/>.</summary>
    public static string? Cut(string? text)
    {
        if (text is null || text.Length <= MaxLength)
        {
            return text;
        }
        // Do not split a surrogate pair.
        var end = char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Concat(text.AsSpan(0, end), Marker);
    }
}
