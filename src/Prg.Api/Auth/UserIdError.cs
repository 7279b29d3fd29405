// Why a user id was rejected.
namespace Prg.Api.Auth;

public enum UserIdError
{
    None = 0,
    Empty,
    TooLong,
    InvalidUtf8,
    ControlCharacter,
}
