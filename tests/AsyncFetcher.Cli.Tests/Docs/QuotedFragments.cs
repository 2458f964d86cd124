using System.Text.RegularExpressions;

namespace AsyncFetcher.Cli.Tests.Docs;

/// <summary>
/// Catches prose drift in the docs: a piece of code quoted next to a code reference must still be in the
/// code it refers to.
/// <list type="bullet">
/// <item>A <b>code reference</b> is a link to a <c>.cs</c> file, optionally followed by a symbol in backticks:
/// <c>[src/…/Fetcher.cs](../src/…/Fetcher.cs) `Fetcher.FetchAsync`</c>.</item>
/// <item>Its <b>fragments</b> are the inline code spans after it in the same block (a list item, a table row
/// or a paragraph; fenced code is not prose) and before the next code reference, that are code-shaped:
/// they hold one of <c>( ) = [ ] { } ; , &lt;</c> or a space, or are a member access on a lower-case name
/// (<c>gate.WaitAsync</c>). Not fragments: bare words (<c>SendAsync</c>, <c>finally</c>), keywords and
/// commands made of lower-case words only (<c>await foreach</c>, <c>demo crawl</c>), flags
/// (<c>--max</c>), paths and URLs (anything with <c>/</c>), quoted strings (<c>"timeout"</c>), and
/// qualified symbols (<c>Task.WhenAll</c>, <c>CrawlRun.Abort</c>: <see cref="UndeclaredSymbols"/> checks those).</item>
/// <item>A fragment <b>occurs</b> in the member when, with all white space removed from both, it is a
/// substring of the member's source (<see cref="CSharpSource.Text"/>: every overload, declaration to closing
/// brace; the whole file for a type or a link without a symbol); <c>...</c> or <c>…</c> in a fragment
/// stands for any text.</item>
/// </list>
/// </summary>
internal static partial class QuotedFragments
{
    /// <summary>
    /// Every fragment in <paramref name="markdown"/> that does not occur in the member its reference names.
    /// <paramref name="source"/> gives a reference's source text (target as written, symbol or null), or null
    /// when the file or symbol does not exist (reported by the reference check, not here).
    /// </summary>
    public static IEnumerable<string> Stale(string markdown, Func<string, string?, string?> source)
    {
        foreach (var block in Blocks(markdown))
        {
            var references = Link().Matches(block)
                .Where(m => IsCodeTarget(m.Groups["target"].Value))
                .ToList();
            for (var r = 0; r < references.Count; r++)
            {
                var reference = references[r];
                var end = r + 1 < references.Count ? references[r + 1].Index : block.Length;
                var target = reference.Groups["target"].Value;
                var symbol = reference.Groups["symbol"].Success ? reference.Groups["symbol"].Value.TrimEnd('(', ')') : null;
                var fragments = InlineCode().Matches(block[(reference.Index + reference.Length)..end])
                    .Select(m => m.Groups["code"].Value.Trim())
                    .Where(IsFragment)
                    .ToList();
                if (fragments.Count == 0)
                {
                    continue;
                }
                var text = source(target, symbol);
                if (text is null)
                {
                    continue;
                }
                var haystack = WhiteSpace().Replace(text, "");
                foreach (var fragment in fragments.Where(f => !Occurs(f, haystack)))
                {
                    yield return $"`{fragment}` is not in {symbol ?? target}";
                }
            }
        }
    }

    /// <summary>
    /// Qualified symbols quoted anywhere in the prose (<c>`CrawlRun.Acknowledge`</c>) whose type is declared in the
    /// repository but whose member is not declared with it. <paramref name="typeFiles"/> gives the source of every
    /// file that declares a type name (empty when none does: a framework type, not checked).
    /// </summary>
    public static IEnumerable<string> UndeclaredSymbols(string markdown, Func<string, IReadOnlyList<string>> typeFiles)
    {
        foreach (var block in Blocks(markdown))
        {
            foreach (Match match in InlineCode().Matches(block))
            {
                var symbol = match.Groups["code"].Value.Trim().TrimEnd('(', ')');
                if (!QualifiedSymbol().IsMatch(symbol))
                {
                    continue;
                }
                var files = typeFiles(symbol.Split('.')[0]);
                if (files.Count > 0 && !files.Any(code => CSharpSource.IsDeclared(code, symbol)))
                {
                    yield return $"`{symbol}` is not declared";
                }
            }
        }
    }

    /// <summary>True when <paramref name="span"/> is code-shaped enough to be checked against the member (see the class summary).</summary>
    public static bool IsFragment(string span)
    {
        if (span.Length == 0 || span[0] is '-' or '"' or '\'' || span.Contains('/', StringComparison.Ordinal) ||
            QualifiedSymbol().IsMatch(span.TrimEnd('(', ')')) || LowerCaseWords().IsMatch(span))
        {
            return false;
        }
        return span.IndexOfAny(['(', ')', '=', '[', ']', '{', '}', ';', ',', '<', ' ']) >= 0 || LowerCaseMemberAccess().IsMatch(span);
    }

    private static bool Occurs(string fragment, string haystack)
    {
        var parts = Ellipsis().Split(WhiteSpace().Replace(fragment, ""));
        var pattern = string.Join(".*?", parts.Select(Regex.Escape));
        return Regex.IsMatch(haystack, pattern, RegexOptions.Singleline);
    }

    private static bool IsCodeTarget(string target) =>
        !target.Contains("://", StringComparison.Ordinal) && target.EndsWith(".cs", StringComparison.Ordinal);

    /// <summary>The prose blocks of a page: list items, table rows, headings and paragraphs, outside fenced code.</summary>
    public static IEnumerable<string> Blocks(string markdown)
    {
        var current = new List<string>();
        var inFence = false;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                if (current.Count > 0)
                {
                    yield return string.Join('\n', current);
                    current.Clear();
                }
                continue;
            }
            if (inFence)
            {
                continue;
            }
            var startsBlock = line.Trim().Length == 0 || BlockStart().IsMatch(line);
            if (startsBlock && current.Count > 0)
            {
                yield return string.Join('\n', current);
                current.Clear();
            }
            if (line.Trim().Length > 0)
            {
                current.Add(line);
            }
        }
        if (current.Count > 0)
        {
            yield return string.Join('\n', current);
        }
    }

    /// <summary>A Markdown link, <c>[text](target)</c>, and the symbol in backticks that may follow it (<c>`Type.Member`</c>).</summary>
    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\((?<target>[^)\s#]+)(?:#[^)]*)?\)(?:[ \t]*`(?<symbol>[A-Z]\w*(?:\.[A-Z]\w*)*(?:\(\))?)`)?")]
    internal static partial Regex Link();

    [GeneratedRegex(@"(?<!`)`(?<code>[^`\n]+)`(?!`)")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^[A-Z]\w*(?:\.[A-Z]\w*)+$")]
    private static partial Regex QualifiedSymbol();

    [GeneratedRegex(@"^[a-z]+(?: [a-z-]+)*$")]
    private static partial Regex LowerCaseWords();

    [GeneratedRegex(@"^[a-z_]\w*(?:\.\w+)+$")]
    private static partial Regex LowerCaseMemberAccess();

    [GeneratedRegex(@"^\s*(?:[-*+] |\d+\. |\||#)")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"\.\.\.|…")]
    private static partial Regex Ellipsis();
}
