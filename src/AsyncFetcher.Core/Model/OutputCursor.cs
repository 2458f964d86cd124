namespace AsyncFetcher.Core.Model;

/// <summary>
/// The output file a consumer writes records to, and how long it is now. The engine reads the
/// length each time the consumer takes the next record (so the one before is written) and saves
/// it with that record's page, so a resumed crawl can cut the file back to what was saved.
/// </summary>
/// <param name="Path">The output file's full path.</param>
/// <param name="Length">Its length in bytes, everything written so far flushed.</param>
public sealed record OutputCursor(string Path, Func<long> Length);
