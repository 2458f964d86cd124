using System.Text.Json.Serialization;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output;

/// <summary>Source-generated serialisation of records: no reflection, camelCase names, nulls kept (a null error means success).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CrawlResult))]
internal sealed partial class ResultJsonContext : JsonSerializerContext;
