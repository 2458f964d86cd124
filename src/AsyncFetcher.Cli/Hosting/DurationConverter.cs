using System.ComponentModel;
using System.Globalization;
using AsyncFetcher.Core;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Lets configuration files and environment variables say "30s" or "500ms" where a TimeSpan is
/// bound, as the flags do; "00:00:30" still works.
/// </summary>
internal sealed class DurationConverter : TimeSpanConverter
{
    private static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));
        }
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && Units.TryParseDuration(text, out var duration)
            ? duration
            : throw new FormatException($"'{value}' is not a duration such as 500ms, 10s, 2m or 00:00:30");
}
