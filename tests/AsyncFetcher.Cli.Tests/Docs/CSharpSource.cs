using System.Text;
using System.Text.RegularExpressions;

namespace AsyncFetcher.Cli.Tests.Docs;

/// <summary>
/// Just enough C# reading for the docs tests: is a symbol declared in a file, and what is the source text of
/// a member (its declaration through its closing brace or semicolon), without a compiler.
/// </summary>
internal static class CSharpSource
{
    // A type (or modifier) before the name, and not a call: await/return/new/... name( is a use.
    private const string Before = @"[\w>\]?)](?<!\b(?:await|return|new|throw|in|is|as|else|case|yield|nameof|typeof))\s+";

    /// <summary>True when every part of <paramref name="symbol"/> (Type, Type.Member, Type.Nested.Member) is declared in <paramref name="code"/>.</summary>
    public static bool IsDeclared(string code, string symbol)
    {
        var parts = symbol.TrimEnd('(', ')').Split('.');
        return TypeDeclared(code, parts[0]) && parts.Skip(1).All(part => TypeDeclared(code, part) || MemberDeclared(code, part));
    }

    public static bool TypeDeclared(string code, string name) => TypeDeclaration(name).IsMatch(code);

    public static bool MemberDeclared(string code, string name) => MemberDeclarations(code, name).Any();

    /// <summary>
    /// The source of what <paramref name="symbol"/> names in <paramref name="code"/>: for a member, every
    /// declaration of it (all overloads) from its name to the end of its body; for a type alone, the whole file.
    /// Null when it is not declared there.
    /// </summary>
    public static string? Text(string code, string symbol)
    {
        if (!IsDeclared(code, symbol))
        {
            return null;
        }
        var parts = symbol.TrimEnd('(', ')').Split('.');
        var last = parts[^1];
        if (parts.Length == 1 || TypeDeclared(code, last))
        {
            return code;
        }
        var text = new StringBuilder();
        foreach (var start in MemberDeclarations(code, last))
        {
            text.Append(code, start, EndOfDeclaration(code, start) - start).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Where each declaration of member <paramref name="name"/> starts (at the name).</summary>
    private static IEnumerable<int> MemberDeclarations(string code, string name)
    {
        var n = Regex.Escape(name);
        var patterns = new[]
        {
            $@"{Before}(?<name>{n})\s*(?:<[^()]*>)?\s*\(",
            $@"{Before}(?<name>{n})\s*(?:\{{|=>|=|;)",
            $@"^\s*(?<name>{n})\s*(?:,|=|$)",
        };
        return patterns
            .SelectMany(p => Regex.Matches(code, p, RegexOptions.Multiline).Select(m => m.Groups["name"].Index))
            .Distinct()
            .Order();
    }

    /// <summary>
    /// The end of the declaration starting at <paramref name="start"/>: after the brace that closes its body,
    /// or after the semicolon that ends an expression body, field or auto-property initialiser. Braces,
    /// parentheses and semicolons inside strings, characters and comments do not count.
    /// </summary>
    private static int EndOfDeclaration(string code, int start)
    {
        var depth = 0;
        var sawBody = false;
        for (var i = start; i < code.Length; i++)
        {
            var skipped = SkipLiteralOrComment(code, i);
            if (skipped > i)
            {
                i = skipped - 1;
                continue;
            }
            switch (code[i])
            {
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case '{':
                    if (depth == 0)
                    {
                        sawBody = true;
                    }
                    depth++;
                    break;
                case '}':
                    depth--;
                    if (depth == 0 && sawBody)
                    {
                        // An auto-property may go on with an initialiser: { get; } = value;
                        var next = NextNonSpace(code, i + 1);
                        return next < code.Length && code[next] == '=' && (next + 1 >= code.Length || code[next + 1] != '>')
                            ? EndOfDeclaration(code, next + 1)
                            : i + 1;
                    }
                    if (depth < 0)
                    {
                        return i;
                    }
                    break;
                case ';' or ',' when depth == 0 && !sawBody:
                    return i + 1;
            }
        }
        return code.Length;
    }

    private static int NextNonSpace(string code, int i)
    {
        while (i < code.Length && char.IsWhiteSpace(code[i]))
        {
            i++;
        }
        return i;
    }

    /// <summary>When a string, character literal or comment starts at <paramref name="i"/>, the index just after it; else <paramref name="i"/>.</summary>
    private static int SkipLiteralOrComment(string code, int i)
    {
        if (Starts(code, i, "//"))
        {
            var end = code.IndexOf('\n', i);
            return end < 0 ? code.Length : end;
        }
        if (Starts(code, i, "/*"))
        {
            var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
            return end < 0 ? code.Length : end + 2;
        }
        var at = i;
        while (at < code.Length && code[at] is '$' or '@')
        {
            at++;
        }
        if (Starts(code, at, "\"\"\""))
        {
            var end = code.IndexOf("\"\"\"", at + 3, StringComparison.Ordinal);
            return end < 0 ? code.Length : end + 3;
        }
        if (at < code.Length && code[at] == '"')
        {
            var verbatim = code[i..at].Contains('@', StringComparison.Ordinal);
            for (var j = at + 1; j < code.Length; j++)
            {
                if (!verbatim && code[j] == '\\')
                {
                    j++;
                }
                else if (code[j] == '"')
                {
                    if (verbatim && j + 1 < code.Length && code[j + 1] == '"')
                    {
                        j++;
                        continue;
                    }
                    return j + 1;
                }
            }
            return code.Length;
        }
        if (at == i && code[i] == '\'' && i + 2 < code.Length)
        {
            var end = code.IndexOf('\'', code[i + 1] == '\\' ? i + 3 : i + 2);
            return end < 0 ? i : end + 1;
        }
        return i;
    }

    private static bool Starts(string code, int i, string text) => i < code.Length && string.CompareOrdinal(code, i, text, 0, text.Length) == 0;

    private static Regex TypeDeclaration(string name) =>
        new($@"\b(?:class|interface|enum|struct|record)\s+(?:struct\s+|class\s+)?{Regex.Escape(name)}\b");
}
