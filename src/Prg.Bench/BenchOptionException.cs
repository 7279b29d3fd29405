// A `prg bench` option with a value that cannot be used; the CLI turns it into a usage error (exit 2).
namespace Prg.Bench;

/// <summary>An option value is missing, malformed or out of range. The message names the option.</summary>
public sealed class BenchOptionException(string message) : Exception(message);
