namespace AsyncFetcher.Cli.Demos;

/// <summary>The course: every chapter of docs/ in order, with its demos (<see cref="All"/> lists the demos alone).</summary>
internal static class DemoCatalog
{
    public static IReadOnlyList<CourseChapter> Chapters { get; } =
    [
        new("01-async-await.md", "1. async/await: coroutines, tasks, and blocking vs not blocking", [new AsyncAwaitDemo()]),
        new("02-tasks.md", "2. Tasks: starting work, keeping track of it, and its exceptions", [new TasksDemo()]),
        new("03-gather-wait-as-completed.md", "3. gather, wait and as_completed: WhenAll, WhenAny, WhenEach", [new WhenAllDemo(), new WhenAnyDemo(), new WhenEachDemo()]),
        new("04-patterns.md", "4. Patterns: producer/consumer, semaphores, per-host limits, pipelines", [new ChannelsDemo(), new SemaphoreDemo()]),
        new("05-async-disposal.md", "5. Async disposal: async with ↔ await using", [new AsyncDisposalDemo()]),
        new("06-async-streams.md", "6. Async streams: async generators ↔ IAsyncEnumerable", [new AsyncStreamsDemo()]),
        new("07-timeouts-cancellation.md", "7. Timeouts and cancellation", [new CancellationDemo()]),
        new("08-real-world-http.md", "8. A real-world HTTP client", [new ResilienceDemo()]),
        new("09-distributed.md", "9. Crawls that outgrow one machine: a shared frontier in Redis", [],
            "  (no offline demo: it needs a Redis server; the chapter runs two `asyncfetch demo crawl` workers against one)"),
        new("10-testing-time.md", "10. TimeProvider: timers you can control, and testing async code without sleeping", [new TimeDemo()]),
        new("11-event-loop.md", "11. Where the event loop went: threads, contexts, races and deadlocks",
            [new RaceDemo(), new AsyncLocalDemo(), new DeadlockDemo(), new StarvationDemo()]),
        new("12-structured-concurrency.md", "12. Structured concurrency and errors: TaskGroup, shield and ExceptionGroup in C#",
            [new TaskGroupDemo(), new ExceptionsDemo()]),
        new("13-rate-limiting.md", "13. Rate limiting: how many at once, and how many per second", [new RateLimitDemo()]),
        new("14-progress-and-callbacks.md", "14. IProgress<T> and TaskCompletionSource: progress, callbacks and events as tasks",
            [new ProgressDemo(), new CallbackDemo()]),
    ];

    /// <summary>Every demo, in chapter order.</summary>
    public static IReadOnlyList<IDemo> All { get; } = [.. Chapters.SelectMany(c => c.Demos)];
}
