// Result of an API key lookup: the role and the key's stable index in the ring, which is what per-key
// state (the rate-limit bucket) is keyed by, so the caller never needs the key itself again.
namespace Prg.Api.Auth;

public readonly record struct ApiKeyMatch(ApiRole Role, int KeyIndex)
{
    public static ApiKeyMatch None => new(ApiRole.None, -1);

    public bool IsMatch => Role != ApiRole.None;
}
