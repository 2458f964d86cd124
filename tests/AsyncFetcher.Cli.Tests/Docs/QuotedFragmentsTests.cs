namespace AsyncFetcher.Cli.Tests.Docs;

/// <summary>The checker behind the docs' prose-drift test, on a chapter and a source file written here.</summary>
public sealed class QuotedFragmentsTests
{
    private const string Fetcher = """
        internal sealed class Fetcher(HttpClient client, TimeProvider time)
        {
            public async Task<FetchResponse> FetchAsync(Uri url, CancellationToken cancellationToken)
            {
                var started = time.GetTimestamp();
                // The pipeline's total timeout bounds all attempts: { not a brace that counts }
                using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), cancellationToken).ConfigureAwait(false);
                return new FetchResponse { Status = (int)response.StatusCode, Elapsed = time.GetElapsedTime(started) };
            }

            public Task<FetchResponse> FetchAsync(Uri url) => FetchAsync(url, CancellationToken.None);

            private static string Describe(Exception e) => e.Message;
        }
        """;

    [Fact]
    public void A_fragment_that_was_removed_from_the_member_is_reported()
    {
        // What ch 10 said once the per-URL CancellationTokenSource had moved into the resilience pipeline.
        const string chapter = """
            - [src/Fetcher.cs](src/Fetcher.cs) `Fetcher.FetchAsync`:
              the per-URL budget is `new CancellationTokenSource(budget, time)`, and `elapsedMs` comes from
              `time.GetTimestamp()` / `time.GetElapsedTime(...)`.
            """;

        var stale = QuotedFragments.Stale(chapter, Source).ToList();

        Assert.Equal(["`new CancellationTokenSource(budget, time)` is not in Fetcher.FetchAsync"], stale);
    }

    [Fact]
    public void Fragments_match_across_white_space_overloads_and_ellipses()
    {
        const string chapter = """
            - [src/Fetcher.cs](src/Fetcher.cs) `Fetcher.FetchAsync`: `using var response = await client.SendAsync(...)`,
              each with `ConfigureAwait(false)`, and a second overload `FetchAsync(url, CancellationToken.None)`;
              `new FetchResponse { Status = (int)response.StatusCode, … }`.
            """;

        Assert.Empty(QuotedFragments.Stale(chapter, Source));
    }

    [Fact]
    public void A_fragment_counts_only_for_the_member_before_it_in_its_own_block()
    {
        const string chapter = """
            | [src/Fetcher.cs](src/Fetcher.cs) `Fetcher.Describe` | `e.Message` |
            | next row | `time.GetTimestamp()` belongs to no reference |

            [src/Fetcher.cs](src/Fetcher.cs) `Fetcher.Describe` returns `e.Message`, while
            [src/Fetcher.cs](src/Fetcher.cs) `Fetcher.FetchAsync` calls `time.GetTimestamp()`.

            `e.Message` before any reference is prose, and so is this list item:
            - `client.SendAsync(url)` and `--timeout 30s`, `"timeout"`, `Task.WhenAll`, `src/Fetcher.cs`.
            """;

        Assert.Empty(QuotedFragments.Stale(chapter, Source));
    }

    [Fact]
    public void The_member_text_is_the_declaration_through_its_body_for_every_overload()
    {
        var text = CSharpSource.Text(Fetcher, "Fetcher.FetchAsync")!;

        Assert.Contains("time.GetElapsedTime(started)", text, StringComparison.Ordinal);
        Assert.Contains("FetchAsync(url, CancellationToken.None)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("e.Message", text, StringComparison.Ordinal);
        Assert.Equal("Describe(Exception e) => e.Message;\n", CSharpSource.Text(Fetcher, "Fetcher.Describe"));
        Assert.Null(CSharpSource.Text(Fetcher, "Fetcher.Missing"));
        Assert.Equal(Fetcher, CSharpSource.Text(Fetcher, "Fetcher"));
    }

    [Theory]
    [InlineData("gate.WaitAsync", true)]
    [InlineData("ConfigureAwait(false)", true)]
    [InlineData("await using (save)", true)]
    [InlineData("SendAsync", false)]
    [InlineData("finally", false)]
    [InlineData("await foreach", false)]
    [InlineData("asyncfetch demo crawl", false)]
    [InlineData("--max", false)]
    [InlineData("\"timeout\"", false)]
    [InlineData("CrawlRun.Abort", false)]
    [InlineData("Task.WhenAll()", false)]
    [InlineData("src/AsyncFetcher.Core/Engine/CrawlRun.cs", false)]
    public void Only_code_shaped_spans_are_fragments(string span, bool fragment)
    {
        Assert.Equal(fragment, QuotedFragments.IsFragment(span));
    }

    [Fact]
    public void A_quoted_symbol_of_a_repository_type_must_be_declared()
    {
        const string chapter = "`Fetcher.FetchAsync` and `Fetcher.Describe` exist, `Fetcher.Fetch` does not; `Task.WhenAll` is not ours.";

        var undeclared = QuotedFragments.UndeclaredSymbols(chapter, type => type == "Fetcher" ? [Fetcher] : []).ToList();

        Assert.Equal(["`Fetcher.Fetch` is not declared"], undeclared);
    }

    private static string? Source(string target, string? symbol) =>
        target == "src/Fetcher.cs" ? symbol is null ? Fetcher : CSharpSource.Text(Fetcher, symbol) : null;
}
