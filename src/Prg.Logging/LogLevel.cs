// Severity of a log line; a Log writes lines at or above its minimum level.
namespace Prg.Logging;

public enum LogLevel
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}
