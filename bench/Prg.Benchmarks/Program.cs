// Entry point: BenchmarkSwitcher over every benchmark class in this assembly (filter with --filter).
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
