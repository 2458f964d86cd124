namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Reads a response's Retry-After header (delta-seconds or HTTP-date) against the injected clock.
/// The standard handler's own Retry-After reader measures dates against the system clock, which a
/// test's fake clock cannot move, so the crawler reads the header itself.
/// </summary>
internal static class RetryAfter
{
    /// <summary>The wait the response asks for; false when it asks for none. A date in the past means now.</summary>
    public static bool TryGet(HttpResponseMessage response, TimeProvider time, out TimeSpan delay)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            delay = delta;
            return true;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            delay = wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            return true;
        }
        delay = default;
        return false;
    }

    /// <summary>The record's error when a retryable response asks for a longer wait than --max-retry-after allows; null otherwise.</summary>
    public static string? Exceeded(HttpResponseMessage response, TimeSpan max, TimeProvider time) =>
        TransientFailures.IsRetryableStatus((int)response.StatusCode) && TryGet(response, time, out var delay) && delay > max
            ? $"retry-after {Math.Ceiling(delay.TotalSeconds):0}s exceeds --max-retry-after ({Units.FormatDuration(max)})"
            : null;
}
