namespace AsyncFetcher.Core.Parsing;

/// <summary>What a page says about itself and where it points.</summary>
/// <param name="Title">The document title, trimmed and cut to <see cref="RecordText.MaxLength"/>; null when absent.</param>
/// <param name="Links">Every followable link target, normalised, each once, in the order it first appears, up to the page's cap.</param>
/// <param name="LinksFound">How many link elements the page had, before filtering.</param>
/// <param name="NoIndex">The page carries meta robots noindex.</param>
/// <param name="NoFollow">The page carries meta robots nofollow: none of its links are followed.</param>
internal sealed record PageLinks(string? Title, IReadOnlyList<Uri> Links, int LinksFound, bool NoIndex, bool NoFollow)
{
    /// <summary>Link elements past --max-links-per-page, not followed.</summary>
    public int LinksOverCap { get; init; }

    /// <summary>What was done to read the page that a user should know (a charset replaced, links over the cap); null when nothing.</summary>
    public string? Note { get; init; }
}
