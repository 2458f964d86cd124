namespace AsyncFetcher.Core.Output;

/// <summary>
/// Latencies in milliseconds, counted in log-linear buckets (like HdrHistogram): exact below 32 ms,
/// then 32 buckets per power of two, so a percentile is within about 3% of the true value. Memory is
/// fixed however many values are recorded, which is why the summary keeps this and not the values.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 5;
    private const int SubCount = 1 << SubBits;
    private readonly long[] counts = new long[SubCount * (64 - SubBits + 1)];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded (exact).</summary>
    public long Max { get; private set; }

    /// <summary>The smallest value recorded (exact); 0 when none.</summary>
    public long Min { get; private set; }

    /// <summary>The sum of the values recorded (exact), for the mean.</summary>
    public long Sum { get; private set; }

    /// <summary>The mean value; 0 when none.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>Counts one value; negative values count as 0.</summary>
    public void Record(long milliseconds)
    {
        var value = Math.Max(0, milliseconds);
        counts[Index(value)]++;
        Min = Count == 0 ? value : Math.Min(Min, value);
        Max = Math.Max(Max, value);
        Sum += value;
        Count++;
    }

    /// <summary>
    /// The value below or at which <paramref name="percent"/>% of the values fall: the upper edge of
    /// the bucket holding that rank, never more than <see cref="Max"/>. 0 when nothing was recorded.
    /// </summary>
    public long Percentile(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (Count == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * Count));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(UpperBound(i), Min, Max);
            }
        }
        return Max;
    }

    /// <summary>
    /// Counts per display bucket: <paramref name="edges"/> are ascending lower edges in ms; a value
    /// goes to the last edge not above it (bucket lower edges decide, so a fine bucket that straddles
    /// an edge counts wholly on one side).
    /// </summary>
    public long[] CountBetween(IReadOnlyList<long> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var result = new long[edges.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }
            var lower = LowerBound(i);
            var slot = edges.Count - 1;
            while (slot > 0 && edges[slot] > lower)
            {
                slot--;
            }
            result[slot] += counts[i];
        }
        return result;
    }

    private static int Index(long value)
    {
        if (value < SubCount)
        {
            return (int)value;
        }
        var exponent = 63 - (int)long.LeadingZeroCount(value);
        var sub = (int)(value >> (exponent - SubBits)) & (SubCount - 1);
        return SubCount + ((exponent - SubBits) * SubCount) + sub;
    }

    private static long LowerBound(int index)
    {
        if (index < SubCount)
        {
            return index;
        }
        var shift = (index - SubCount) / SubCount;
        var sub = (index - SubCount) % SubCount;
        return (long)(SubCount + sub) << shift;
    }

    private static long UpperBound(int index)
    {
        if (index < SubCount)
        {
            return index;
        }
        var shift = (index - SubCount) / SubCount;
        return LowerBound(index) + (1L << shift) - 1;
    }
}
