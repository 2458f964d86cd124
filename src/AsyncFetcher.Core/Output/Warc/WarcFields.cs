using System.Text;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>Writes WARC named fields (<c>Name: value</c> CRLF).</summary>
internal static class WarcFields
{
    public static StringBuilder Field(this StringBuilder builder, string name, string value) =>
        builder.Append(name).Append(": ").Append(value).Append("\r\n");
}
