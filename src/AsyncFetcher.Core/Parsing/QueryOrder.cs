namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// The optional query sort of <see cref="UrlNormalizer"/> (--sort-query): pairs ordered by key,
/// equal keys kept in their order, empty pairs dropped, so reordered queries give one URL.
/// </summary>
internal static class QueryOrder
{
    /// <summary>True when the query has an empty pair or pairs out of key order.</summary>
    public static bool NeedsSorting(ReadOnlySpan<char> query)
    {
        ReadOnlySpan<char> previousKey = default;
        bool first = true;
        foreach (Range range in query.Split('&'))
        {
            ReadOnlySpan<char> pair = query[range];
            if (pair.IsEmpty)
            {
                return true;
            }

            ReadOnlySpan<char> key = KeyOf(pair);
            if (!first && key.SequenceCompareTo(previousKey) < 0)
            {
                return true;
            }

            previousKey = key;
            first = false;
        }

        return false;
    }

    /// <summary>Writes the non-empty pairs of <paramref name="query"/> sorted by key, keeping the order of equal keys; returns the length.</summary>
    public static int Sort(ReadOnlySpan<char> query, Span<char> destination)
    {
        int count = query.Count('&') + 1;
        var pairs = new List<(int Start, int Length, int Index)>(count);
        foreach (Range range in query.Split('&'))
        {
            (int start, int length) = range.GetOffsetAndLength(query.Length);
            if (length > 0)
            {
                pairs.Add((start, length, pairs.Count));
            }
        }

        string text = query.ToString();
        pairs.Sort((a, b) =>
        {
            int byKey = KeyOf(text.AsSpan(a.Start, a.Length)).SequenceCompareTo(KeyOf(text.AsSpan(b.Start, b.Length)));
            return byKey != 0 ? byKey : a.Index.CompareTo(b.Index);
        });

        int w = 0;
        foreach ((int start, int length, _) in pairs)
        {
            if (w > 0)
            {
                destination[w++] = '&';
            }

            text.AsSpan(start, length).CopyTo(destination[w..]);
            w += length;
        }

        return w;
    }

    private static ReadOnlySpan<char> KeyOf(ReadOnlySpan<char> pair)
    {
        int equals = pair.IndexOf('=');
        return equals < 0 ? pair : pair[..equals];
    }
}
