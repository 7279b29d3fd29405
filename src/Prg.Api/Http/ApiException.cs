// A handler's way to answer with an error status: {"error": Message}.
namespace Prg.Api.Http;

public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiException BadRequest(string message) => new(400, message);
    public static ApiException NotFound(string message) => new(404, message);
    public static ApiException Forbidden(string message) => new(403, message);
}
