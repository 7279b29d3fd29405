// `server.api_keys.*`: API keys per role and the HMAC keys user signatures are made with. Secrets: never log them.
namespace Prg.Api.Config;

public sealed class ApiKeysConfig
{
    public List<string> Admin { get; set; } = [];

    public List<string> Backend { get; set; } = [];

    public List<string> Frontend { get; set; } = [];

    /// <summary>`server.api_keys.signing`: any of them verifies a signature; the first one signs.</summary>
    public List<string> Signing { get; set; } = [];
}
