// The configured API keys and their roles. Keys are held only as SHA-256 digests and compared with
// CryptographicOperations.FixedTimeEquals against every configured key, so neither the content nor the
// length of a key leaks through timing, and a lookup costs the same whether or not (or where) it matches.
// Roles are looked up in the order admin, backend, frontend (spec/api.md section 2).
using System.Security.Cryptography;
using System.Text;
using Prg.Api.Config;

namespace Prg.Api.Auth;

public sealed class ApiKeyRing
{
    private const int DigestLength = 32;

    private readonly byte[] _digests;
    private readonly ApiRole[] _roles;

    public ApiKeyRing(IEnumerable<string> adminKeys, IEnumerable<string> backendKeys, IEnumerable<string> frontendKeys)
    {
        ArgumentNullException.ThrowIfNull(adminKeys);
        ArgumentNullException.ThrowIfNull(backendKeys);
        ArgumentNullException.ThrowIfNull(frontendKeys);

        var digests = new List<byte[]>();
        var roles = new List<ApiRole>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Add(adminKeys, ApiRole.Admin);
        Add(backendKeys, ApiRole.Backend);
        Add(frontendKeys, ApiRole.Frontend);

        _digests = new byte[digests.Count * DigestLength];
        for (int i = 0; i < digests.Count; i++)
        {
            digests[i].CopyTo(_digests, i * DigestLength);
        }

        _roles = [.. roles];

        void Add(IEnumerable<string> keys, ApiRole role)
        {
            foreach (string key in keys)
            {
                if (string.IsNullOrEmpty(key))
                {
                    throw new ArgumentException($"An empty {role.ToString().ToLowerInvariant()} API key was given.");
                }

                if (!seen.Add(key))
                {
                    throw new ArgumentException("The same API key is configured more than once; each key must have exactly one role.");
                }

                digests.Add(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
                roles.Add(role);
            }
        }
    }

    /// <summary>Number of configured keys; key indexes run from 0 to Count - 1.</summary>
    public int Count => _roles.Length;

    public static ApiKeyRing FromConfig(ApiKeysConfig keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new ApiKeyRing(keys.Admin, keys.Backend, keys.Frontend);
    }

    /// <summary>Finds the role of a presented key (the raw header value bytes); None when unknown or empty.</summary>
    public ApiKeyMatch Lookup(ReadOnlySpan<byte> presentedKey)
    {
        if (presentedKey.IsEmpty)
        {
            return ApiKeyMatch.None;
        }

        Span<byte> digest = stackalloc byte[DigestLength];
        SHA256.HashData(presentedKey, digest);

        // Compare against every key and remember the first hit; keys are unique, so at most one matches.
        int found = -1;
        for (int i = 0; i < _roles.Length; i++)
        {
            bool equal = CryptographicOperations.FixedTimeEquals(digest, _digests.AsSpan(i * DigestLength, DigestLength));
            if (equal && found < 0)
            {
                found = i;
            }
        }

        return found < 0 ? ApiKeyMatch.None : new ApiKeyMatch(_roles[found], found);
    }
}
