namespace AsyncFetcher.Core.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData(30_000, "30s")]
    [InlineData(120_000, "2m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(1_500, "1.5s")]
    [InlineData(250, "250ms")]
    [InlineData(90_000, "90s")]
    [InlineData(0, "0ms")]
    public void Durations_are_written_as_they_are_read(long milliseconds, string expected)
    {
        var text = Units.FormatDuration(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, text);
        Assert.True(Units.TryParseDuration(text, out var back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }

    [Theory]
    [InlineData("1d", 24)]
    [InlineData("2D", 48)]
    [InlineData("0.5d", 12)]
    public void Durations_may_be_given_in_days(string text, int hours)
    {
        Assert.True(Units.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromHours(hours), value);
    }

    [Theory]
    [InlineData(10 * 1024 * 1024, "10MiB")]
    [InlineData(512 * 1024, "512KiB")]
    [InlineData(1L << 30, "1GiB")]
    [InlineData(1000, "1000")]
    [InlineData(0, "0")]
    public void Sizes_are_written_as_they_are_read(long bytes, string expected)
    {
        var text = Units.FormatSize(bytes);

        Assert.Equal(expected, text);
        Assert.True(Units.TryParseSize(text, out var back));
        Assert.Equal(bytes, back);
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(12_595, "12.3 KiB")]
    [InlineData(1_610_612_736, "1.50 GiB")]
    public void Byte_counts_for_people_have_three_significant_digits(long bytes, string expected) =>
        Assert.Equal(expected, Units.HumanBytes(bytes));
}
