using AsyncFetcher.Core.Output;

namespace AsyncFetcher.Core.Tests.Output;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_3_percent_of_the_exact_values()
    {
        var histogram = new LatencyHistogram();
        var random = new Random(42);
        var values = Enumerable.Range(0, 20_000).Select(_ => (long)Math.Exp(random.NextDouble() * 12)).ToArray();
        foreach (var value in values)
        {
            histogram.Record(value);
        }
        Array.Sort(values);

        foreach (var p in new[] { 50.0, 90, 95, 99, 99.9 })
        {
            var exact = values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            var estimate = histogram.Percentile(p);
            Assert.InRange(estimate, exact, exact + Math.Max(1, exact * 0.032));
        }
        Assert.Equal(values[^1], histogram.Percentile(100));
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[0], histogram.Min);
        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Average(), histogram.Mean, precision: 6);
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        foreach (var value in new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })
        {
            histogram.Record(value);
        }

        Assert.Equal(5, histogram.Percentile(50));
        Assert.Equal(10, histogram.Percentile(95));
        Assert.Equal(1, histogram.Percentile(0));
    }

    [Fact]
    public void Nothing_recorded_reads_as_zero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.Percentile(99));
        Assert.Equal(0, histogram.Mean);
        Assert.All(histogram.CountBetween([0, 10, 100]), c => Assert.Equal(0, c));
    }

    [Fact]
    public void Display_buckets_count_each_value_once_under_its_lower_edge()
    {
        var histogram = new LatencyHistogram();
        foreach (var value in new long[] { 0, 3, 9, 10, 99, 100, 150, 5_000, 1_000_000 })
        {
            histogram.Record(value);
        }

        Assert.Equal([3, 2, 2, 2], histogram.CountBetween([0, 10, 100, 1000]));
    }
}
