// Browser stream tokens: EventSource cannot send headers, so an authenticated POST mints a short-lived
// token that opens one feed (one thread's, or the caller's inbox) for one user and nothing else.
// Token = base64url(payload) "." base64url(HMAC-SHA256(process secret, payload)), payload =
// "f1\n<expiry unix s>\n<scope>\n<user>". The secret is random per process and never stored: a
// restart invalidates outstanding tokens, which only means minting a new one.
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Prg.Api.Feeds;

public sealed class StreamTokens(TimeSpan ttl)
{
    private const string Version = "f1";
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    public TimeSpan Ttl => ttl;

    /// <summary>A token for <paramref name="user"/> to open the feed named <paramref name="scope"/> until now + ttl.</summary>
    public string Mint(string user, string scope, DateTimeOffset now)
    {
        var expiry = (now + ttl).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes($"{Version}\n{expiry}\n{scope}\n{user}");
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_secret, payload));
    }

    /// <summary>The token's user, if it is genuine, unexpired and minted for <paramref name="scope"/>.</summary>
    public bool TryVerify(string token, string scope, DateTimeOffset now, out string user)
    {
        user = "";
        var dot = token.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }
        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_secret, payload)))
        {
            return false;
        }
        var fields = Encoding.UTF8.GetString(payload).Split('\n', 4);
        if (fields.Length != 4 || fields[0] != Version || fields[2] != scope
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || now.ToUnixTimeSeconds() > expiry)
        {
            return false;
        }
        user = fields[3];
        return true;
    }
}
