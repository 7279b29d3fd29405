// The role an API key grants (spec/api.md section 2); None means the key is missing or unknown.
namespace Prg.Api.Auth;

public enum ApiRole
{
    None = 0,
    Admin,
    Backend,
    Frontend,
}
