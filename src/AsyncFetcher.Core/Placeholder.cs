namespace AsyncFetcher.Core; internal static class Placeholder { }
