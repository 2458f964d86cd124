namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// One chapter of the course: its page in docs/, its title (the page's heading), and the demos that show it,
/// in the order the page runs them; <paramref name="Note"/> says what to do instead when it has no offline demo.
/// </summary>
internal sealed record CourseChapter(string Page, string Title, IReadOnlyList<IDemo> Demos, string? Note = null);
