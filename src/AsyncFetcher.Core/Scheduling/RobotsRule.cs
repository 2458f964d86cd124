using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// One <c>Allow</c> or <c>Disallow</c> line of a robots.txt group (RFC 9309 section 2.2.2):
/// a path prefix in which <c>*</c> matches any run of characters and a final <c>$</c> anchors the end.
/// </summary>
internal sealed class RobotsRule
{
    private readonly bool anchored;

    /// <param name="pattern">The rule's value as written; it is percent-normalised here.</param>
    /// <param name="isAllow">True for <c>Allow</c>, false for <c>Disallow</c>.</param>
    public RobotsRule(string pattern, bool isAllow)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = PercentEncoding.Normalize(pattern, escapeRawChars: true);
        IsAllow = isAllow;

        // '$' anchors only at the end; elsewhere it is an ordinary character, as in Google's parser.
        anchored = Pattern.EndsWith('$');
    }

    /// <summary>The pattern in percent-normalised form, the form paths are compared in.</summary>
    public string Pattern { get; }

    public bool IsAllow { get; }

    /// <summary>
    /// The rule's specificity: its length in octets. The normalised pattern is ASCII, so chars are octets.
    /// </summary>
    public int Length => Pattern.Length;

    /// <summary>Whether the rule applies to <paramref name="path"/>, which must be percent-normalised.</summary>
    /// <remarks>
    /// Greedy matching with no backtracking: each literal segment between stars is taken at its
    /// leftmost place after the previous one, which can only leave more room for the segments after it.
    /// So a hostile pattern costs at most a scan of the path per segment, never exponential time.
    /// </remarks>
    public bool Matches(ReadOnlySpan<char> path)
    {
        ReadOnlySpan<char> pattern = anchored ? Pattern.AsSpan(0, Pattern.Length - 1) : Pattern;
        int star = pattern.IndexOf('*');
        if (star < 0)
        {
            return anchored ? path.SequenceEqual(pattern) : path.StartsWith(pattern);
        }

        // The segment before the first star is anchored at the start of the path.
        if (!path.StartsWith(pattern[..star]))
        {
            return false;
        }

        int position = star;
        pattern = pattern[(star + 1)..];
        while ((star = pattern.IndexOf('*')) >= 0)
        {
            ReadOnlySpan<char> segment = pattern[..star];
            if (!segment.IsEmpty)
            {
                int found = path[position..].IndexOf(segment);
                if (found < 0)
                {
                    return false;
                }

                position += found + segment.Length;
            }

            pattern = pattern[(star + 1)..];
        }

        // The segment after the last star: anywhere after position, or at the very end if anchored.
        return anchored
            ? path.Length - position >= pattern.Length && path.EndsWith(pattern)
            : pattern.IsEmpty || path[position..].Contains(pattern, StringComparison.Ordinal);
    }

    public override string ToString() => (IsAllow ? "Allow: " : "Disallow: ") + Pattern;
}
