// Validation of acting-user ids as they arrive in headers, queries and the /sign body (spec/api.md
// section 2): valid UTF-8, 1..128 bytes (1..36 for POST /backend/v1/sign), no control characters
// (C0, DEL, C1). Storage keys must still escape ids; this only rejects what is never a user id.
using System.Text;

namespace Prg.Api.Auth;

public static class UserId
{
    public const int MaxLength = 128;
    public const int MaxSigningLength = 36;

    /// <summary>Validates an id used to act as a user (X-User-ID, ?author=).</summary>
    public static UserIdError Validate(ReadOnlySpan<byte> utf8) => Validate(utf8, MaxLength);

    /// <summary>Validates the userId of a POST /backend/v1/sign request.</summary>
    public static UserIdError ValidateForSigning(ReadOnlySpan<byte> utf8) => Validate(utf8, MaxSigningLength);

    /// <summary>The client-facing message for a validation failure.</summary>
    public static string Describe(UserIdError error, bool forSigning = false) => error switch
    {
        UserIdError.None => "valid",
        UserIdError.Empty => "user id must not be empty",
        UserIdError.TooLong => $"user id must be at most {(forSigning ? MaxSigningLength : MaxLength)} bytes",
        UserIdError.InvalidUtf8 => "user id must be valid UTF-8",
        UserIdError.ControlCharacter => "user id must not contain control characters",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown user id error."),
    };

    private static UserIdError Validate(ReadOnlySpan<byte> utf8, int maxLength)
    {
        if (utf8.IsEmpty)
        {
            return UserIdError.Empty;
        }

        if (utf8.Length > maxLength)
        {
            return UserIdError.TooLong;
        }

        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return UserIdError.InvalidUtf8;
            }

            if (Rune.IsControl(rune))
            {
                return UserIdError.ControlCharacter;
            }

            utf8 = utf8[consumed..];
        }

        return UserIdError.None;
    }
}
