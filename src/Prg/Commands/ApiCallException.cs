// A request of an operations command failed: Status is the HTTP status (0 if none came back).
namespace Prg.Commands;

public sealed class ApiCallException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
