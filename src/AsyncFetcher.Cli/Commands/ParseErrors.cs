using System.CommandLine;
using System.CommandLine.Parsing;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// Command-line mistakes in the tool's own words: an unknown option or command with the nearest real one
/// ("did you mean --max-pages?"), a missing value or argument named, and whatever else the parser says in
/// the same style (lower case, no full stop), never its bare sentences.
/// </summary>
internal static class ParseErrors
{
    /// <summary>The one line for the first thing wrong with <paramref name="parse"/>.</summary>
    public static string Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens.FirstOrDefault() is { } token)
        {
            return Unknown(token, command);
        }
        var error = parse.Errors[0];
        if (error.SymbolResult is OptionResult { IdentifierToken: null, Option: { Required: true } required })
        {
            return $"{required.Name} is required";
        }
        if (error.SymbolResult is OptionResult { Tokens.Count: 0, Option: { } option } && option.Arity.MinimumNumberOfValues > 0)
        {
            return $"{option.Name} needs a value";
        }
        if (command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && parse.GetResult(a) is not { Tokens.Count: > 0 }) is { } argument)
        {
            return $"{command.Name} needs {argument.Name}: {LowerFirst(argument.Description ?? argument.Name)}";
        }
        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            return $"a command is needed: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
        }
        return LowerFirst(error.Message.TrimEnd('.'));
    }

    /// <summary>"unknown option '--maxpages' (did you mean --max-pages?)", or the same for a command.</summary>
    public static string Unknown(string token, Command command)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(command);
        var isOption = token.StartsWith('-');
        var candidates = isOption
            ? command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options).Where(o => o.Recursive)).SelectMany(o => o.Aliases.Append(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
        var what = isOption ? "option" : command.Subcommands.Count > 0 ? "command" : "argument";
        var line = $"unknown {what} '{token}'";
        return Nearest(token, candidates) is { } nearest ? $"{line} (did you mean {nearest}?)" : line;
    }

    /// <summary>The candidate closest to <paramref name="typed"/>, if one is close enough to be what was meant.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(typed);
        // A typo or two: a letter missed, doubled, swapped or wrong; more than that is another word.
        var allowed = Math.Min(2, Math.Max(1, typed.TrimStart('-').Length / 4));
        return candidates
            .Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: Distance(typed, c)))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Edits (insert, delete, replace, swap two neighbours) from <paramref name="a"/> to <paramref name="b"/>, case ignored.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }

    private static string LowerFirst(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
