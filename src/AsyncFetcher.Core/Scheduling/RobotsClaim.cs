namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The answer of <see cref="IHostGate.ClaimRobotsAsync"/>: the host's robots.txt as the crawl knows it
/// (<paramref name="Known"/>), or a task that completes when another process's fetch of it may have ended
/// (<paramref name="Retry"/>), or neither: fetch it.
/// </summary>
internal readonly record struct RobotsClaim(RobotsAnswer? Known, Task? Retry)
{
    public static RobotsClaim Fetch => default;
}
