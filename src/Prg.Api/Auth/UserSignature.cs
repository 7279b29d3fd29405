// HMAC user signatures (spec/api.md section 2): signature = lowercase hex of HMAC-SHA256(signing key,
// UTF-8 user id). Any configured signing key verifies; the first one signs (so keys can be rotated by
// prepending the new one). Verification decodes the presented hex and compares MACs with
// CryptographicOperations.FixedTimeEquals against every key, without stopping at the first match.
using System.Security.Cryptography;
using System.Text;
using Prg.Api.Config;

namespace Prg.Api.Auth;

public sealed class UserSignature
{
    /// <summary>Length of a signature in hex characters.</summary>
    public const int HexLength = 64;

    private const int MacLength = 32;

    private readonly byte[][] _keys;

    public UserSignature(IEnumerable<string> signingKeys)
    {
        ArgumentNullException.ThrowIfNull(signingKeys);
        var keys = new List<byte[]>();
        foreach (string key in signingKeys)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException("An empty signing key was given.", nameof(signingKeys));
            }

            keys.Add(Encoding.UTF8.GetBytes(key));
        }

        _keys = [.. keys];
    }

    public bool HasKeys => _keys.Length > 0;

    public static UserSignature FromConfig(ApiKeysConfig keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new UserSignature(keys.Signing);
    }

    /// <summary>Writes the 64 lowercase hex characters (ASCII) of the signature of a UTF-8 user id into <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidOperationException">No signing key is configured.</exception>
    public void Sign(ReadOnlySpan<byte> userIdUtf8, Span<byte> destination)
    {
        if (_keys.Length == 0)
        {
            throw new InvalidOperationException("No signing key is configured (server.api_keys.signing).");
        }

        if (destination.Length < HexLength)
        {
            throw new ArgumentException($"The destination must hold {HexLength} bytes.", nameof(destination));
        }

        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(_keys[0], userIdUtf8, mac);
        Convert.TryToHexStringLower(mac, destination, out _);
    }

    /// <summary>The signature of <paramref name="userId"/> as a lowercase hex string.</summary>
    public string Sign(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        Span<byte> hex = stackalloc byte[HexLength];
        Sign(Encoding.UTF8.GetBytes(userId), hex);
        return Encoding.ASCII.GetString(hex);
    }

    /// <summary>
    /// True when <paramref name="presentedHex"/> (the X-User-Signature value, hex in either case) is the
    /// signature of <paramref name="userIdUtf8"/> under any configured signing key.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> userIdUtf8, ReadOnlySpan<byte> presentedHex)
    {
        if (presentedHex.Length != HexLength || _keys.Length == 0)
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[MacLength];
        if (!TryDecodeHex(presentedHex, presented))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        bool valid = false;
        foreach (byte[] key in _keys)
        {
            HMACSHA256.HashData(key, userIdUtf8, expected);
            valid |= CryptographicOperations.FixedTimeEquals(expected, presented);
        }

        CryptographicOperations.ZeroMemory(expected);
        return valid;
    }

    private static bool TryDecodeHex(ReadOnlySpan<byte> hex, Span<byte> destination) =>
        Convert.FromHexString(hex, destination, out _, out int written) == System.Buffers.OperationStatus.Done
        && written == destination.Length;
}
