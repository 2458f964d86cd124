using System.Text.RegularExpressions;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests;

/// <summary>
/// The layers of src/ depend one way (ARCHITECTURE.md): each may use only the layers before it in
/// <see cref="Order"/>. Read from the source text — using directives, namespace-qualified names, and
/// the names of the types in Core's root folder — with comments and plain strings left out.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>The layers, bottom up: each may use only those before it. Loopback is the site the demos serve, a project of its own.</summary>
    private static readonly string[] Order = ["Loopback", "Model", "Parsing", "Options", "Output", "Fetching", "Scheduling", "Storage", "Engine", "Composition", "Cli"];

    /// <summary>The folders of src/AsyncFetcher.Core, each a layer of its own.</summary>
    private static readonly string[] CoreFolders = ["Model", "Parsing", "Output", "Fetching", "Scheduling", "Storage", "Engine"];

    /// <summary>The files in Core's root that wire the layers together (entry points); the rest of the root is the options.</summary>
    private static readonly string[] CompositionFiles = ["ServiceCollectionExtensions.cs", "CrawlOptionsValidator.cs"];

    [Fact]
    public void Every_file_uses_only_the_layers_below_its_own()
    {
        var wrong = Uses().Where(u => Array.IndexOf(Order, u.Used) >= Array.IndexOf(Order, u.Layer)).Select(u => u.ToString());

        Assert.Empty(wrong);
    }

    [Fact]
    public void Model_and_Parsing_depend_on_nothing_in_Core()
    {
        Assert.Empty(Uses().Where(u => u.Layer is "Model" or "Parsing").Select(u => u.ToString()));
    }

    [Fact]
    public void Nothing_but_the_entry_points_uses_the_engine()
    {
        Assert.Empty(Uses().Where(u => u.Used == "Engine" && u.Layer is not ("Composition" or "Cli")).Select(u => u.ToString()));
    }

    [Fact]
    public void Core_never_references_the_cli()
    {
        Assert.Empty(Uses().Where(u => u.Used == "Cli").Select(u => u.ToString()));
    }

    [Fact]
    public void Only_the_cli_uses_the_loopback_site()
    {
        Assert.Empty(Uses().Where(u => u.Used == "Loopback" && u.Layer != "Cli").Select(u => u.ToString()));
    }

    [Fact]
    public void Every_folder_of_core_has_its_place_in_the_order()
    {
        var folders = Directory.GetDirectories(RepoPaths.File("src/AsyncFetcher.Core"))
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj"));

        Assert.All(folders, folder => Assert.Contains(folder, CoreFolders));
        Assert.All(CoreFolders, folder => Assert.Contains(folder, Order));
    }

    [Fact]
    public void The_reader_sees_usings_qualified_names_and_root_types_but_not_comments_or_strings()
    {
        const string code = """
            using AsyncFetcher.Core.Model;
            using static AsyncFetcher.Core.Parsing.UrlNormalizer;
            namespace AsyncFetcher.Core.Fetching;
            /// <summary>Uses <see cref="Engine.CrawlEngine"/> in a comment only.</summary>
            internal sealed class Sample(CrawlOptions options, Output.BodyStore store)
            {
                // Storage.RedisFrontier is mentioned, not used.
                private readonly string text = "AsyncFetcher.Cli.Program and Scheduling.HostScheduler";
                private readonly string shown = $"{AsyncFetcher.Core.Storage.RedisKeys.Prefix}";
            }
            """;

        var used = UsedLayers(code, inCore: true);

        Assert.Equal(["Model", "Options", "Output", "Parsing", "Storage"], used.Order());
    }

    private static List<Use> Uses()
    {
        var uses = new List<Use>();
        var src = RepoPaths.File("src");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }
            var layer = LayerOf(relative);
            foreach (var used in UsedLayers(File.ReadAllText(file), inCore: layer != "Cli"))
            {
                if (used != layer)
                {
                    uses.Add(new Use(relative, layer, used));
                }
            }
        }
        Assert.NotEmpty(uses);
        return uses;
    }

    private static string LayerOf(string relative)
    {
        var parts = relative.Split('/');
        return parts[0] switch
        {
            "AsyncFetcher.Cli" => "Cli",
            "AsyncFetcher.Loopback" => "Loopback",
            "AsyncFetcher.Core" when parts.Length == 2 => CompositionFiles.Contains(parts[1]) ? "Composition" : "Options",
            "AsyncFetcher.Core" => parts[1],
            _ => throw new InvalidOperationException($"src/{relative}: a project the layers do not know"),
        };
    }

    /// <summary>The layers <paramref name="code"/> uses; <paramref name="inCore"/> also counts names qualified by a Core folder alone (Output.BodyStore).</summary>
    private static HashSet<string> UsedLayers(string code, bool inCore)
    {
        // Interpolated strings are kept, for the code in their holes.
        var text = NamespaceCommentOrString().Replace(code, m => m.Value.StartsWith('$') ? m.Value : " ");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in ProjectName().Matches(text))
        {
            // "using AsyncFetcher.Core;" alone says nothing: the root's types are found by name, below.
            if (match.Groups["project"].Success || match.Groups["folder"].Success)
            {
                used.Add(match.Groups["project"].Success ? match.Groups["project"].Value : match.Groups["folder"].Value);
            }
        }
        if (inCore)
        {
            foreach (Match match in FolderQualifiedName().Matches(text))
            {
                used.Add(match.Groups["folder"].Value);
            }
        }
        foreach (var (type, layer) in RootTypes.Value)
        {
            if (Regex.IsMatch(text, $@"(?<![\w.]){type}\b"))
            {
                used.Add(layer);
            }
        }
        return used;
    }

    /// <summary>The types declared in Core's root folder, with the layer of their file.</summary>
    private static readonly Lazy<List<(string Type, string Layer)>> RootTypes = new(() =>
        [.. Directory.GetFiles(RepoPaths.File("src/AsyncFetcher.Core"), "*.cs")
            .SelectMany(file => TypeDeclaration().Matches(File.ReadAllText(file))
                .Select(m => (m.Groups["name"].Value, CompositionFiles.Contains(Path.GetFileName(file)) ? "Composition" : "Options")))]);

    private sealed record Use(string File, string Layer, string Used)
    {
        public override string ToString() => $"src/{File} ({Layer}) uses {Used}";
    }

    /// <summary>The file's own namespace, comments, strings (interpolated ones before the rest, so they can be told apart) and chars.</summary>
    [GeneratedRegex(@"(?m:^namespace\s[^\n]*)|//[^\n]*|/\*[\s\S]*?\*/|""""""[\s\S]*?""""""|\$@?""(?:[^""\\\n]|\\.)*""|@""(?:[^""]|"""")*""|""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)+'")]
    private static partial Regex NamespaceCommentOrString();

    [GeneratedRegex(@"\bAsyncFetcher\.(?:(?<project>Cli|Loopback)\b|Core(?:\.(?<folder>Model|Parsing|Output|Fetching|Scheduling|Storage|Engine)\b)?)")]
    private static partial Regex ProjectName();

    [GeneratedRegex(@"(?<![\w.])(?<folder>Model|Parsing|Output|Fetching|Scheduling|Storage|Engine)\.[A-Z]")]
    private static partial Regex FolderQualifiedName();

    [GeneratedRegex(@"\b(?:class|interface|enum|struct|record)\s+(?:struct\s+|class\s+)?(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();
}
