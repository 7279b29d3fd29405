// Resolves the caller of a request: API key role (Bearer or X-API-Key), path scope, and on user
// routes the acting user (frontend: signed X-User-ID; backend: X-User-ID or ?author=).
using System.Text;
using Prg.Api.Auth;
using Prg.Api.Http;
using Prg.Http;

namespace Prg.Api.Security;

public sealed class RequestAuthenticator(ApiKeyRing keys, UserSignature signatures)
{
    /// <summary>Fills <paramref name="caller"/> or throws the 401/403/400 the spec names.</summary>
    public void Authenticate(HttpRequest request, RouteScope scope, Caller caller)
    {
        var presented = PresentedKey(request);
        var match = presented.IsEmpty ? ApiKeyMatch.None : keys.Lookup(presented);
        if (!match.IsMatch)
        {
            throw new ApiException(401, "unauthorized");
        }
        caller.Role = match.Role;
        caller.KeyIndex = match.KeyIndex;
        var allowed = scope switch
        {
            RouteScope.Admin => match.Role == ApiRole.Admin,
            RouteScope.Backend => match.Role == ApiRole.Backend,
            RouteScope.User => match.Role is ApiRole.Backend or ApiRole.Frontend,
            _ => true,
        };
        if (!allowed)
        {
            throw new ApiException(403, "forbidden");
        }
        if (scope == RouteScope.User)
        {
            caller.User = match.Role == ApiRole.Frontend ? SignedUser(request) : AssertedUser(request);
        }
    }

    /// <summary>The key as sent: "Authorization: Bearer K" (scheme case-insensitive) or "X-API-Key: K".</summary>
    public static ReadOnlySpan<byte> PresentedKey(HttpRequest request)
    {
        if (request.TryGetHeader("authorization"u8, out var authorization)
            && authorization.Length > 7 && Ascii.EqualsIgnoreCase(authorization[..7], "bearer "u8))
        {
            return authorization[7..].Trim((byte)' ');
        }
        return request.TryGetHeader("x-api-key"u8, out var apiKey) ? apiKey : default;
    }

    private string SignedUser(HttpRequest request)
    {
        if (!request.TryGetHeader("x-user-id"u8, out var userId) || userId.IsEmpty)
        {
            throw new ApiException(401, "missing user id");
        }
        if (!request.TryGetHeader("x-user-signature"u8, out var signature) || signature.IsEmpty)
        {
            throw new ApiException(401, "signature required");
        }
        if (!signatures.Verify(userId, signature))
        {
            throw new ApiException(401, "invalid signature");
        }
        var user = ValidUser(userId);
        var author = AuthorQuery(request);
        if (author is not null && author != user)
        {
            throw new ApiException(403, "forbidden: author does not match the signed user");
        }
        return user;
    }

    private static string AssertedUser(HttpRequest request)
    {
        if (request.TryGetHeader("x-user-id"u8, out var userId) && !userId.IsEmpty)
        {
            return ValidUser(userId);
        }
        var author = AuthorQuery(request);
        if (string.IsNullOrEmpty(author))
        {
            throw new ApiException(400, "author required for backend requests");
        }
        return ValidUser(Encoding.UTF8.GetBytes(author));
    }

    private static string? AuthorQuery(HttpRequest request) =>
        QueryParameter.TryGet(request, "author"u8, out var author)
            ? author
            : throw new ApiException(400, "invalid user id: " + UserId.Describe(UserIdError.InvalidUtf8));

    private static string ValidUser(ReadOnlySpan<byte> userId)
    {
        var error = UserId.Validate(userId);
        if (error != UserIdError.None)
        {
            throw new ApiException(400, "invalid user id: " + UserId.Describe(error));
        }
        return Encoding.UTF8.GetString(userId);
    }
}
