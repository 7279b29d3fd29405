// Who is making the request: the key's role and, on user routes, the acting user.
using Prg.Api.Auth;

namespace Prg.Api.Security;

public sealed class Caller
{
    public ApiRole Role { get; set; }

    /// <summary>Which configured key matched (the rate limiter's bucket).</summary>
    public int KeyIndex { get; set; } = -1;

    /// <summary>The acting user on /frontend routes (signed or asserted by a backend key).</summary>
    public string User { get; set; } = "";

    public void Reset()
    {
        Role = ApiRole.None;
        KeyIndex = -1;
        User = "";
    }
}
