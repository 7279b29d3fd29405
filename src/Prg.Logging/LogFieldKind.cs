// Which slot of a LogField holds its value.
namespace Prg.Logging;

internal enum LogFieldKind : byte
{
    Text,
    Integer,
    Float,
    Boolean,
    Error,
}
