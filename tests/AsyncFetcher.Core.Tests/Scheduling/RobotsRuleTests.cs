using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Tests.Scheduling;

public sealed class RobotsRuleTests
{
    [Fact]
    public void Greedy_matching_agrees_with_a_dynamic_programming_reference()
    {
        // Small alphabets make stars, repeats and near misses common.
        var random = new Random(9309);
        for (int n = 0; n < 20_000; n++)
        {
            string pattern = "/" + RandomText(random, "ab*$", random.Next(0, 7));
            string path = "/" + RandomText(random, "ab$", random.Next(0, 9));
            var rule = new RobotsRule(pattern, isAllow: false);

            Assert.True(
                ReferenceMatches(pattern, path) == rule.Matches(path),
                $"pattern '{pattern}' against path '{path}'");
        }
    }

    [Fact]
    public void Stores_the_pattern_percent_normalised()
    {
        Assert.Equal("/~a%2F%E2%82%AC*$", new RobotsRule("/%7ea%2f€*$", isAllow: true).Pattern);
    }

    private static string RandomText(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    // Straight from the definition: '*' matches any run, a final '$' anchors the end, otherwise a prefix match.
    private static bool ReferenceMatches(string pattern, string path)
    {
        bool anchored = pattern.EndsWith('$');
        string p = anchored ? pattern[..^1] : pattern;

        // matches[i, j]: the first i pattern chars can consume exactly the first j path chars.
        var matches = new bool[p.Length + 1, path.Length + 1];
        matches[0, 0] = true;
        for (int i = 1; i <= p.Length; i++)
        {
            for (int j = 0; j <= path.Length; j++)
            {
                matches[i, j] = p[i - 1] == '*'
                    ? matches[i - 1, j] || (j > 0 && matches[i, j - 1])
                    : j > 0 && matches[i - 1, j - 1] && p[i - 1] == path[j - 1];
            }
        }

        if (anchored)
        {
            return matches[p.Length, path.Length];
        }

        for (int j = 0; j <= path.Length; j++)
        {
            if (matches[p.Length, j])
            {
                return true;
            }
        }

        return false;
    }
}
