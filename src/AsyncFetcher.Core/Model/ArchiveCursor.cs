namespace AsyncFetcher.Core.Model;

/// <summary>
/// The WARC file a consumer writes a crawl's captures to, like <see cref="OutputCursor"/> for the
/// records: the engine reads where it stands each time the consumer takes the next record, and saves
/// that with the page, so a resumed crawl cuts the WARC back to what was saved.
/// </summary>
/// <param name="Path">The current file's full path (it changes when the WARC rotates).</param>
/// <param name="Length">Its length in bytes, everything written so far flushed.</param>
public sealed record ArchiveCursor(Func<string> Path, Func<long> Length);
