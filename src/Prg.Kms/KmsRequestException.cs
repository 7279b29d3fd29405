// A request the service refuses with a specific status and protocol error code (bad JSON, missing
// field, bad base64, rotation already running, ...).
namespace Prg.Kms;

internal sealed class KmsRequestException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    public static KmsRequestException BadRequest(string message) => new(400, Prg.Crypto.KmsProtocol.ErrorCodes.BadRequest, message);

    public static KmsRequestException Conflict(string message) => new(409, Prg.Crypto.KmsProtocol.ErrorCodes.Conflict, message);
}
