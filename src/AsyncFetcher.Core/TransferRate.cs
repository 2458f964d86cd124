using System.Diagnostics.CodeAnalysis;

namespace AsyncFetcher.Core;

/// <summary>
/// A minimum transfer rate, as curl's --speed-limit/--speed-time: at least <see cref="Bytes"/> in
/// every <see cref="Window"/> once a response has started, written <c>1KiB/10s</c>; <c>0</c> is none.
/// </summary>
public readonly record struct TransferRate(long Bytes, TimeSpan Window)
{
    /// <summary>No minimum.</summary>
    public static readonly TransferRate None = new(0, TimeSpan.Zero);

    /// <summary>True when a minimum is set.</summary>
    public bool IsSet => Bytes > 0 && Window > TimeSpan.Zero;

    /// <summary>Reads <c>SIZE/DURATION</c> (<c>1KiB/10s</c>, <c>512/5s</c>) or <c>0</c>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TransferRate? rate)
    {
        rate = null;
        text = text?.Trim();
        if (text is "0" or "none")
        {
            rate = None;
            return true;
        }
        var slash = text?.IndexOf('/') ?? -1;
        if (slash <= 0
            || !Units.TryParseSize(text![..slash], out var bytes)
            || !Units.TryParseDuration(text[(slash + 1)..], out var window)
            || bytes <= 0 || window <= TimeSpan.Zero)
        {
            return false;
        }
        rate = new TransferRate(bytes, window);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsSet ? $"{Units.FormatSize(Bytes)}/{Units.FormatDuration(Window)}" : "0";
}
