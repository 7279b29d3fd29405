// A command line that cannot be run as written; reported as one line and exit code 2.
namespace Prg.Commands;

public sealed class UsageException(string message) : Exception(message);
