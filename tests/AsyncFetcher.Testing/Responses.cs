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
}
