using System.Globalization;

namespace AsyncFetcher.Core;

/// <summary>Parses the human units the CLI and settings accept: durations (500ms, 10s, 2m, 1h, plain seconds, or hh:mm:ss) and sizes (bytes, KiB, MiB, GiB, KB, MB).</summary>
public static class Units
{
    /// <summary>Parses a duration; false when the text is not one.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value);
        }
        (string unit, double scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        var factor = 1.0;
        foreach (var (unit, scale) in units)
        {
            if (s.EndsWith(unit, StringComparison.OrdinalIgnoreCase) && !(unit == "s" && s.EndsWith("ms", StringComparison.OrdinalIgnoreCase)))
            {
                s = s[..^unit.Length];
                factor = scale;
                break;
            }
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || double.IsNaN(number) || double.IsInfinity(number) || Math.Abs(number * factor) > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }
        value = TimeSpan.FromSeconds(number * factor);
        return true;
    }

    /// <summary>Parses a size in bytes; false when the text is not one.</summary>
    public static bool TryParseSize(string? text, out long value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        (string unit, long scale)[] units = [("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1)];
        long factor = 1;
        foreach (var (unit, scale) in units)
        {
            if (s.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^unit.Length].Trim();
                factor = scale;
                break;
            }
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0 || number * factor > long.MaxValue / 2)
        {
            return false;
        }
        value = (long)(number * factor);
        return true;
    }

    /// <summary>Formats a duration the way <see cref="TryParseDuration"/> reads it: 500ms, 90s, 2m, 24h.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerHour == 0 && value >= TimeSpan.FromHours(1))
        {
            return FormattableString.Invariant($"{(long)value.TotalHours}h");
        }
        if (value.Ticks % TimeSpan.TicksPerMinute == 0 && value >= TimeSpan.FromMinutes(1))
        {
            return FormattableString.Invariant($"{(long)value.TotalMinutes}m");
        }
        return value < TimeSpan.FromSeconds(1) && value.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? FormattableString.Invariant($"{(long)value.TotalMilliseconds}ms")
            : FormattableString.Invariant($"{value.TotalSeconds:0.###}s");
    }
}
