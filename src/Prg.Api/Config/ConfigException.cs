// The one exception type configuration problems surface as: a bad file, a bad environment variable or
// a value that fails validation. Its message is one line meant to be printed as-is before exiting.
namespace Prg.Api.Config;

public sealed class ConfigException : Exception
{
    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string filePath, int lineNumber, string detail)
        : base($"{filePath}:{lineNumber}: {detail}")
    {
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>The config file the problem is in, when it comes from a file.</summary>
    public string? FilePath { get; }

    /// <summary>1-based line of the problem in <see cref="FilePath"/>; 0 when not from a file.</summary>
    public int LineNumber { get; }
}
