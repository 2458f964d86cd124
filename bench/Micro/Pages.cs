using System.Text;

namespace Micro;

/// <summary>
/// The pages the benchmarks parse: one page like the synthetic benchmark site's (8 KB, 10 links),
/// and, when Debian's python3-doc is installed, two real ones: a typical page and the largest index.
/// </summary>
internal static class Pages
{
    private const string PyDoc = "/usr/share/doc/python3.11/html";

    public static IEnumerable<string> Names()
    {
        yield return "synthetic";
        if (Directory.Exists(PyDoc))
        {
            yield return "library/functions.html";
            yield return "genindex-all.html";
        }
    }

    public static (Uri Url, byte[] Body) Load(string name)
    {
        if (name == "synthetic")
        {
            return (new Uri("http://127.0.0.1:8080/p/1.html"), Encoding.UTF8.GetBytes(Synthetic()));
        }
        return (new Uri("http://127.0.0.1:8080/" + name), File.ReadAllBytes(Path.Combine(PyDoc, name)));
    }

    // Shaped like shared/benchsite/gensite.py's pages: a title, filler text, ten root-relative links.
    private static string Synthetic()
    {
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>page 1</title></head><body>\n");
        var words = new[] { "async", "await", "task", "channel", "token", "semaphore", "fetch", "crawl", "yield", "cancel" };
        var random = new Random(1);
        for (var link = 0; link < 10; link++)
        {
            html.Append("<p>");
            for (var i = 0; i < 120; i++)
            {
                html.Append(words[random.Next(words.Length)]).Append(' ');
            }
            html.Append("</p>\n<a href=\"/p/").Append(random.Next(1000)).Append(".html\">next</a>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }
}
