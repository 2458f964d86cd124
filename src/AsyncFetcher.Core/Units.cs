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
        (string unit, double scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
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
        if (value < TimeSpan.Zero && value != TimeSpan.MinValue)
        {
            return "-" + FormatDuration(value.Duration());
        }
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

    /// <summary>Writes a size the way <see cref="TryParseSize"/> reads it, in the largest binary unit that is exact: 10MiB, 512KiB, 1000.</summary>
    public static string FormatSize(long bytes)
    {
        foreach (var (unit, scale) in new[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
        {
            if (bytes != 0 && bytes % scale == 0)
            {
                return (bytes / scale).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A byte count for people, to three significant digits: 512 B, 12.3 KiB, 1.50 GiB.</summary>
    public static string HumanBytes(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        var value = (double)bytes;
        var i = -1;
        while (value >= 1024 && i < units.Length - 1)
        {
            value /= 1024;
            i++;
        }
        var format = value >= 100 ? "F0" : value >= 10 ? "F1" : "F2";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + units[i];
    }

    /// <summary>A duration for people: 850 ms, 12.3 s, 4m05s, 2h03m.</summary>
    public static string HumanDuration(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms";
        }
        if (value < TimeSpan.FromMinutes(1))
        {
            return value.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
        }
        return value < TimeSpan.FromHours(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalMinutes}m{value.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h{value.Minutes:00}m");
    }
}
