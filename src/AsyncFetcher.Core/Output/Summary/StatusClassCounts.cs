using System.Text.Json.Serialization;

namespace AsyncFetcher.Core.Output.Summary;

/// <summary>Records by status class; <see cref="NoResponse"/> counts records with no HTTP status (errors, robots.txt).</summary>
public sealed record StatusClassCounts
{
    /// <summary>1xx.</summary>
    [JsonPropertyName("1xx")]
    public long Informational { get; init; }

    /// <summary>2xx.</summary>
    [JsonPropertyName("2xx")]
    public long Success { get; init; }

    /// <summary>3xx (a redirect that was not followed to the end).</summary>
    [JsonPropertyName("3xx")]
    public long Redirection { get; init; }

    /// <summary>4xx.</summary>
    [JsonPropertyName("4xx")]
    public long ClientError { get; init; }

    /// <summary>5xx.</summary>
    [JsonPropertyName("5xx")]
    public long ServerError { get; init; }

    /// <summary>No HTTP status: a network error, a timeout, or not fetched (robots.txt).</summary>
    [JsonPropertyName("none")]
    public long NoResponse { get; init; }
}
