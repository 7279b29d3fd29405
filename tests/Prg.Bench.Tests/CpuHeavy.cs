// Tests that saturate the cores (crypto loops, load runs) share one xunit collection so they run one
// at a time instead of starving each other on a 2-core machine.
namespace Prg.Bench.Tests;

[CollectionDefinition(Name)]
public sealed class CpuHeavy
{
    public const string Name = "cpu-heavy";
}
