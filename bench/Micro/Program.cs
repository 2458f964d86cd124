using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Micro -- --filter '*'          (all benchmarks)
// dotnet run -c Release --project bench/Micro -- --filter '*Link*'     (one class)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
