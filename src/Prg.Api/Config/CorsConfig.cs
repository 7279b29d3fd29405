// `server.cors.*`: browser origins allowed to call the API.
namespace Prg.Api.Config;

public sealed class CorsConfig
{
    /// <summary>`server.cors.allowed_origins`: exact origins, or `*` for any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
