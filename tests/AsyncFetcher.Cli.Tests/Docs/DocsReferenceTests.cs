using System.Text.RegularExpressions;
using AsyncFetcher.Cli.Demos;

namespace AsyncFetcher.Cli.Tests.Docs;

/// <summary>
/// Keeps docs/ honest: every code reference names a file that exists and a symbol declared in it, code
/// quoted next to a reference is still in that code (<see cref="QuotedFragments"/>), every chapter has its
/// demo (one that exists, in both command forms) and exercises, and the map links every chapter.
/// </summary>
public sealed partial class DocsReferenceTests
{
    private static readonly string Root = FindRoot();
    private static readonly string DocsDir = Path.Combine(Root, "docs");

    /// <summary>Every page that points at code: docs/*.md, and the README and CONTRIBUTING at the root.</summary>
    public static TheoryData<string> Pages => [.. PageNames().Select(p => "docs/" + p), "README.md", "CONTRIBUTING.md"];

    public static TheoryData<string> Chapters => [.. ChapterNames()];

    [Fact]
    public void The_course_has_its_chapters()
    {
        var chapters = ChapterNames();
        foreach (var prefix in new[] { "01-", "02-", "03-", "04-", "05-", "06-", "07-", "08-", "10-", "11-", "12-", "13-", "14-" })
        {
            Assert.Contains(chapters, c => c.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_code_reference_names_an_existing_file_and_a_symbol_declared_in_it(string page)
    {
        var text = File.ReadAllText(Path.Combine(Root, page));
        var problems = new List<string>();
        foreach (var reference in References(text))
        {
            var path = Resolve(page, reference.Target);
            var shown = Path.GetRelativePath(Root, path).Replace('\\', '/');
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                // A link to a chapter another branch is still writing is not a code reference.
                if (!(reference.Target.EndsWith(".md", StringComparison.Ordinal) && !reference.Target.Contains('/', StringComparison.Ordinal)))
                {
                    problems.Add($"{reference.Target}: no such file");
                }
                continue;
            }
            // The link text may name the file, or the folder it is in (`[docs/](docs/README.md)`).
            if (reference.Text is { } linkText && LooksLikePath(linkText) && linkText != shown && !(linkText.EndsWith('/') && shown.StartsWith(linkText, StringComparison.Ordinal)))
            {
                problems.Add($"[{linkText}]({reference.Target}): the link text names another file than {shown}");
            }
            if (reference.Symbol is { } symbol && path.EndsWith(".cs", StringComparison.Ordinal) && !IsDeclared(File.ReadAllText(path), symbol))
            {
                problems.Add($"{shown}: `{symbol}` is not declared there");
            }
        }
        foreach (Match match in BacktickedPath().Matches(text))
        {
            var path = match.Groups["path"].Value;
            if (!File.Exists(Path.Combine(Root, path)) && !Directory.Exists(Path.Combine(Root, path)))
            {
                problems.Add($"`{path}`: no such file");
            }
        }
        Assert.True(problems.Count == 0, $"{page}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Code_quoted_next_to_a_reference_is_still_in_the_member_it_names(string page)
    {
        var problems = QuotedFragments.Stale(File.ReadAllText(Path.Combine(Root, page)), (target, symbol) =>
        {
            var path = Resolve(page, target);
            return File.Exists(path)
                ? symbol is null ? File.ReadAllText(path) : CSharpSource.Text(File.ReadAllText(path), symbol)
                : null;
        }).ToList();

        Assert.True(problems.Count == 0, $"{page}: quoted code that is not (or no longer) in the code it points at:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_quoted_symbol_of_the_repository_is_declared(string page)
    {
        var problems = QuotedFragments.UndeclaredSymbols(File.ReadAllText(Path.Combine(Root, page)), TypeFiles).ToList();

        Assert.True(problems.Count == 0, $"{page}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Every_chapter_has_code_references_a_demo_that_exists_and_exercises(string chapter)
    {
        var text = File.ReadAllText(Path.Combine(DocsDir, chapter));
        var sections = Sections(text);

        Assert.True(sections.ContainsKey("demo"), $"docs/{chapter} has no '## Demo' section");
        var demos = DemoCommandName().Matches(sections["demo"]).Select(m => m.Groups["name"].Value).ToList();
        Assert.True(demos.Count > 0, $"docs/{chapter}: its Demo section runs no `asyncfetch demo NAME`");
        var known = DemoCatalog.All.Select(d => d.Name).Append("crawl").ToHashSet(StringComparer.Ordinal);
        Assert.All(demos, name => Assert.True(known.Contains(name), $"docs/{chapter}: no demo named '{name}'"));
        // Both forms: the installed tool, and what works on a fresh clone.
        Assert.All(demos, name => Assert.Contains($"dotnet run --project src/AsyncFetcher.Cli -- demo {name}", sections["demo"], StringComparison.Ordinal));

        Assert.True(sections.ContainsKey("exercises"), $"docs/{chapter} has no '## Exercises' section");
        Assert.Contains("hint", sections["exercises"], StringComparison.OrdinalIgnoreCase);

        Assert.True(sections.ContainsKey("where asyncfetch does this"), $"docs/{chapter} has no '## Where asyncfetch does this' section");
        Assert.Contains(References(sections["where asyncfetch does this"]), r => r.Symbol is not null);
    }

    [Fact]
    public void The_map_links_every_chapter_and_every_demo()
    {
        var map = File.ReadAllText(Path.Combine(DocsDir, "README.md"));
        var linked = References(map).Select(r => r.Target).ToHashSet(StringComparer.Ordinal);

        Assert.All(ChapterNames(), chapter => Assert.Contains(chapter, linked));
        Assert.All(DemoCatalog.All, demo => Assert.Contains($"demo {demo.Name}", map, StringComparison.Ordinal));
        Assert.Contains("09-distributed.md", linked);
        Assert.Contains("docs/README.md", File.ReadAllText(Path.Combine(Root, "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_course_runs_the_chapters_in_order_under_their_titles_with_their_demos()
    {
        Assert.Equal(ChapterNames(), DemoCatalog.Chapters.Select(c => c.Page));
        foreach (var chapter in DemoCatalog.Chapters)
        {
            var text = File.ReadAllText(Path.Combine(DocsDir, chapter.Page));
            Assert.Equal("# " + chapter.Title, text.Split('\n')[0].TrimEnd());
            var shown = DemoCommandName().Matches(Sections(text)["demo"]).Select(m => m.Groups["name"].Value).Where(n => n != "crawl").Distinct();
            Assert.Equal(chapter.Demos.Select(d => d.Name), shown);
        }
    }

    [Fact]
    public void The_readme_opens_with_the_course_command_and_the_chapters_in_order()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var learn = Sections(readme)["learn async .net"];

        Assert.True(readme.IndexOf("## Learn async .NET", StringComparison.Ordinal) < readme.IndexOf("## Two commands on a fresh machine", StringComparison.Ordinal));
        Assert.Contains("dotnet run --project src/AsyncFetcher.Cli -- demo ", learn, StringComparison.Ordinal);
        var linked = References(learn).Select(r => r.Target).Where(t => ChapterName().IsMatch(Path.GetFileName(t))).Select(Path.GetFileName).Distinct();
        Assert.Equal(ChapterNames(), linked);
    }

    [Fact]
    public void The_symbol_check_finds_declarations_and_rejects_the_rest()
    {
        const string code = """
            internal sealed class CrawlRun
            {
                public void Abort() => abort.Cancel();
                private async Task<DateTimeOffset?> DispatchAsync()
                {
                    await ScheduleAsync(seeds, stopToken);
                }
                public int Queued { get; private set; }
                internal readonly record struct Decision(DecisionKind Kind);
                private enum JobKind
                {
                    Page,
                }
            }
            """;

        Assert.True(IsDeclared(code, "CrawlRun"));
        Assert.True(IsDeclared(code, "CrawlRun.DispatchAsync"));
        Assert.True(IsDeclared(code, "CrawlRun.Abort"));
        Assert.True(IsDeclared(code, "CrawlRun.Queued"));
        Assert.True(IsDeclared(code, "CrawlRun.Decision"));
        Assert.True(IsDeclared(code, "CrawlRun.JobKind.Page"));
        Assert.False(IsDeclared(code, "CrawlRun.ScheduleAsync"));
        Assert.False(IsDeclared(code, "CrawlEngine"));
        Assert.False(IsDeclared(code, "CrawlRun.Missing"));
    }

    private static bool IsDeclared(string code, string symbol) => CSharpSource.IsDeclared(code, symbol);

    private static IEnumerable<Reference> References(string text)
    {
        foreach (Match match in QuotedFragments.Link().Matches(text))
        {
            var target = match.Groups["target"].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith('#') || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }
            var symbol = match.Groups["symbol"].Success ? match.Groups["symbol"].Value : null;
            yield return new Reference(match.Groups["text"].Value.Trim('`'), target, symbol);
        }
    }

    /// <summary>The text under each '## ' heading, keyed by the heading in lower case.</summary>
    private static Dictionary<string, string> Sections(string text)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? heading = null;
        var body = new List<string>();
        var inFence = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                heading = line[3..].Trim().ToLowerInvariant();
                continue;
            }
            body.Add(line);
        }
        Flush();
        return sections;

        void Flush()
        {
            if (heading is not null)
            {
                sections[heading] = string.Join('\n', body);
            }
            body.Clear();
        }
    }

    /// <summary>The sources of the repository's files that declare type <paramref name="name"/> (src/ and tests/).</summary>
    private static IReadOnlyList<string> TypeFiles(string name) => TypeIndex.Value.TryGetValue(name, out var files) ? files : [];

    private static readonly Lazy<Dictionary<string, List<string>>> TypeIndex = new(() =>
    {
        var index = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in new[] { "src", "tests" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories)))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }
            var code = File.ReadAllText(file);
            foreach (Match match in TypeName().Matches(code))
            {
                var name = match.Groups["name"].Value;
                if (!index.TryGetValue(name, out var files))
                {
                    index[name] = files = [];
                }
                files.Add(code);
            }
        }
        return index;
    });

    /// <summary>A link target as a full path: relative to the page that holds it.</summary>
    private static string Resolve(string page, string target) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.Combine(Root, page))!, target));

    private static List<string> PageNames() => [.. Directory.GetFiles(DocsDir, "*.md").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static List<string> ChapterNames() => [.. PageNames().Where(n => ChapterName().IsMatch(n))];

    private static bool LooksLikePath(string text) => text.Contains('/', StringComparison.Ordinal) && !text.Contains(' ', StringComparison.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AsyncFetcher.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("AsyncFetcher.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\d\d-[\w-]+\.md$")]
    private static partial Regex ChapterName();

    [GeneratedRegex(@"`(?<path>(?:src|tests|examples)/[^`\s]+)`")]
    private static partial Regex BacktickedPath();

    [GeneratedRegex(@"\b(?:class|interface|enum|struct|record)\s+(?:struct\s+|class\s+)?(?<name>[A-Z]\w*)")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"asyncfetch demo (?<name>[a-z][a-z-]*)")]
    private static partial Regex DemoCommandName();

    private sealed record Reference(string? Text, string Target, string? Symbol);
}
