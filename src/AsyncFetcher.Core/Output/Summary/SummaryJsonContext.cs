using System.Text.Json.Serialization;

namespace AsyncFetcher.Core.Output.Summary;

/// <summary>Source-generated JSON for the summary (--summary-json and the data inside the HTML report): camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SummaryReport))]
internal sealed partial class SummaryJsonContext : JsonSerializerContext;
