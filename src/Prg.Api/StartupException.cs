// A reason `prg serve` refuses to start; printed as one line, exit code 1.
namespace Prg.Api;

public sealed class StartupException(string message) : Exception(message);
