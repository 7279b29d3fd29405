// The CORS origin check (spec/api.md section 2): an Origin is allowed when it equals a configured origin
// byte for byte, or when the list holds `*`. Also carries the fixed header values allowed responses send.
using System.Text;
using Prg.Api.Config;

namespace Prg.Api.Auth;

public sealed class CorsPolicy
{
    private readonly byte[][] _origins;

    public CorsPolicy(IEnumerable<string> allowedOrigins)
    {
        ArgumentNullException.ThrowIfNull(allowedOrigins);
        var origins = new List<byte[]>();
        foreach (string origin in allowedOrigins)
        {
            string trimmed = origin.Trim();
            if (trimmed.Length == 0)
            {
                throw new ArgumentException("An empty CORS origin was given.", nameof(allowedOrigins));
            }

            if (trimmed == "*")
            {
                AllowsAnyOrigin = true;
                continue;
            }

            // Browsers never send a path, so "https://a.example/" in a config can only mean "https://a.example".
            origins.Add(Encoding.UTF8.GetBytes(trimmed.TrimEnd('/')));
        }

        _origins = [.. origins];
    }

    /// <summary>Access-Control-Allow-Methods value.</summary>
    public static ReadOnlySpan<byte> AllowMethods => "GET,POST,PUT,DELETE,PATCH,OPTIONS"u8;

    /// <summary>Access-Control-Allow-Headers value.</summary>
    public static ReadOnlySpan<byte> AllowHeaders => "Authorization,Content-Type,X-API-Key,X-User-ID,X-User-Signature"u8;

    /// <summary>Access-Control-Max-Age value (seconds).</summary>
    public static ReadOnlySpan<byte> MaxAge => "600"u8;

    public bool AllowsAnyOrigin { get; }

    /// <summary>False when no origin is configured: then no CORS headers are ever sent.</summary>
    public bool IsEnabled => AllowsAnyOrigin || _origins.Length > 0;

    public static CorsPolicy FromConfig(CorsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new CorsPolicy(config.AllowedOrigins);
    }

    /// <summary>Whether a request's Origin header value may be echoed in Access-Control-Allow-Origin.</summary>
    public bool IsAllowed(ReadOnlySpan<byte> origin)
    {
        if (origin.IsEmpty)
        {
            return false;
        }

        if (AllowsAnyOrigin)
        {
            return true;
        }

        foreach (byte[] allowed in _origins)
        {
            if (origin.SequenceEqual(allowed))
            {
                return true;
            }
        }

        return false;
    }
}
