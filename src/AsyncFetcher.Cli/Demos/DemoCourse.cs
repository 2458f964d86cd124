using System.Diagnostics;
using System.Globalization;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>asyncfetch demo</c> with no name: the whole course, as <c>python main.py</c> would run it. Every demo in
/// chapter order, each under its chapter's heading and followed by one line on what it showed, then where to
/// read next. A cancelled token (Ctrl+C) stops it inside a demo or between two: it throws, nothing more runs.
/// </summary>
internal static class DemoCourse
{
    public static async Task<int> RunAsync(IReadOnlyList<CourseChapter> chapters, TextWriter output, CancellationToken cancellationToken)
    {
        var demos = chapters.Sum(c => c.Demos.Count);
        output.WriteLine($"asyncfetch demo: the course in async .NET for asyncio programmers, {demos} demos in {chapters.Count} chapters,");
        output.WriteLine("offline (each demo serves its own site on 127.0.0.1). Ctrl+C stops it.");
        var clock = Stopwatch.StartNew();
        var ran = 0;
        foreach (var chapter in chapters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            output.WriteLine();
            output.WriteLine($"== {chapter.Title}   (docs/{chapter.Page})");
            if (chapter.Note is not null)
            {
                output.WriteLine(chapter.Note);
            }
            foreach (var demo in chapter.Demos)
            {
                cancellationToken.ThrowIfCancellationRequested();
                output.WriteLine();
                output.WriteLine($"-- asyncfetch demo {demo.Name}: {demo.Summary}");
                await demo.RunAsync(output, cancellationToken);
                output.WriteLine($"=> {demo.Takeaway}");
                ran++;
            }
        }
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"That was the course: {ran} demos in {clock.Elapsed.TotalSeconds:F1} s."));
        output.WriteLine($"Read next: docs/{chapters[0].Page}, then the chapters in order (docs/README.md is the map); each one");
        output.WriteLine("puts asyncio beside C#, lists the pitfalls and points at the code in src/ that does it for real.");
        output.WriteLine("`asyncfetch demo NAME` runs one demo again (`asyncfetch demo --list`); `asyncfetch demo crawl` runs the");
        output.WriteLine("whole crawler on the bundled example site.");
        return ran;
    }
}
