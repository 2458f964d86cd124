using System.IO.Compression;
using System.Text;
using AsyncFetcher.Loopback;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Testing;

/// <summary>Handlers for a <see cref="LocalSite"/> route, for responses a test composes.</summary>
public static class Responses
{
    /// <summary>Answers with <paramref name="status"/> and no body.</summary>
    public static Task Status(HttpContext context, int status)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>Answers with an HTML page titled <paramref name="title"/>, with <paramref name="body"/> in its body.</summary>
    public static Task Html(HttpContext context, string title, string body = "")
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(LocalSite.Html(title, body), context.RequestAborted);
    }

    /// <summary><paramref name="text"/> in UTF-8, gzip-compressed: a body to send with Content-Encoding: gzip.</summary>
    public static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }
}
