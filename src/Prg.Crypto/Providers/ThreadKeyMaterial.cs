// A thread's key material: every wrapped version of its DEK. In embedded mode this is the DEK
// store, kept in the thread meta "kms" block; the newest version is the one new frames use.
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prg.Crypto;

/// <summary>
/// The wrapped DEK versions of one key id, ascending by version; the last is current.
/// </summary>
/// <remarks>
/// JSON (the thread meta <c>kms</c> block; binary fields base64):
/// <code>
/// {"key_id":"dek_&lt;thread&gt;","wrapped_dek":"&lt;current wrapped DEK&gt;","kek_id":"&lt;16 hex&gt;",
///  "kek_version":1,"dek_version":2,
///  "versions":[{"wrapped_dek":"…","kek_id":"…","kek_version":1,"dek_version":1},
///              {"wrapped_dek":"…","kek_id":"…","kek_version":1,"dek_version":2}]}
/// </code>
/// The top-level <c>wrapped_dek</c>/<c>kek_id</c>/<c>kek_version</c>/<c>dek_version</c> repeat the
/// current version (the seed's fields); <c>versions</c> is the full list. When parsing, a block
/// without <c>versions</c> is read as a single version (<c>dek_version</c> defaulting to 1), and a
/// block whose top-level fields disagree with the current version is refused.
/// </remarks>
[JsonConverter(typeof(ThreadKeyMaterialJsonConverter))]
public sealed class ThreadKeyMaterial
{
    private readonly WrappedDekVersion[] _versions;

    /// <exception cref="ArgumentException">No versions, duplicate versions, or an empty key id.</exception>
    public ThreadKeyMaterial(string keyId, IEnumerable<WrappedDekVersion> versions)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(versions);
        WrappedDekVersion[] sorted = [.. versions];
        if (sorted.Length == 0)
        {
            throw new ArgumentException("key material needs at least one DEK version", nameof(versions));
        }

        foreach (WrappedDekVersion version in sorted)
        {
            ArgumentNullException.ThrowIfNull(version, nameof(versions));
        }

        Array.Sort(sorted, static (a, b) => a.DekVersion.CompareTo(b.DekVersion));
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].DekVersion == sorted[i - 1].DekVersion)
            {
                throw new ArgumentException($"DEK version {sorted[i].DekVersion} appears twice", nameof(versions));
            }
        }

        KeyId = keyId;
        _versions = sorted;
    }

    public string KeyId { get; }

    /// <summary>All versions, ascending.</summary>
    public IReadOnlyList<WrappedDekVersion> Versions => _versions;

    /// <summary>The version new frames are encrypted under.</summary>
    public WrappedDekVersion Current => _versions[^1];

    public uint CurrentDekVersion => Current.DekVersion;

    public bool TryGetVersion(uint dekVersion, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WrappedDekVersion? version)
    {
        foreach (WrappedDekVersion candidate in _versions)
        {
            if (candidate.DekVersion == dekVersion)
            {
                version = candidate;
                return true;
            }
        }

        version = null;
        return false;
    }

    /// <summary>A copy with <paramref name="version"/> added as the new current version.</summary>
    /// <exception cref="ArgumentException">The version is not newer than the current one.</exception>
    public ThreadKeyMaterial WithNewVersion(WrappedDekVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.DekVersion <= CurrentDekVersion)
        {
            throw new ArgumentException(
                $"new DEK version {version.DekVersion} must be greater than the current version {CurrentDekVersion}", nameof(version));
        }

        return new ThreadKeyMaterial(KeyId, [.. _versions, version]);
    }

    /// <summary>Serialises to the JSON shape in the remarks.</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8Json());

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(ToDto(), CryptoJsonContext.Default.ThreadKeyMaterialDto);

    /// <summary>Writes the JSON object to a writer (e.g. inside a larger document).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, ToDto(), CryptoJsonContext.Default.ThreadKeyMaterialDto);
    }

    /// <summary>
    /// Just the key id of a serialised kms block, without materialising the versions: every encrypted
    /// request needs it, and a full parse would cost more than the AES-GCM work it precedes.
    /// </summary>
    /// <exception cref="KeyMaterialFormatException">No top-level key_id string.</exception>
    public static string ReadKeyId(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("key_id"u8))
                    {
                        if (reader.Read() && reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } keyId)
                        {
                            return keyId;
                        }
                        break;
                    }
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new KeyMaterialFormatException($"kms key material is not valid JSON: {e.Message}", e);
        }
        throw new KeyMaterialFormatException("kms key material has no key_id");
    }

    /// <exception cref="KeyMaterialFormatException">Malformed JSON or inconsistent material.</exception>
    public static ThreadKeyMaterial Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <exception cref="KeyMaterialFormatException">Malformed JSON or inconsistent material.</exception>
    public static ThreadKeyMaterial Parse(ReadOnlySpan<byte> utf8Json)
    {
        ThreadKeyMaterialDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(utf8Json, CryptoJsonContext.Default.ThreadKeyMaterialDto);
        }
        catch (JsonException e)
        {
            throw new KeyMaterialFormatException($"kms key material is not valid JSON: {e.Message}", e);
        }

        return FromDto(dto);
    }

    /// <summary>Reads the JSON object at the reader's position (e.g. inside a larger document).</summary>
    /// <exception cref="KeyMaterialFormatException">Malformed JSON or inconsistent material.</exception>
    public static ThreadKeyMaterial ReadFrom(ref Utf8JsonReader reader)
    {
        ThreadKeyMaterialDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(ref reader, CryptoJsonContext.Default.ThreadKeyMaterialDto);
        }
        catch (JsonException e)
        {
            throw new KeyMaterialFormatException($"kms key material is not valid JSON: {e.Message}", e);
        }

        return FromDto(dto);
    }

    internal ThreadKeyMaterialDto ToDto()
    {
        WrappedDekVersion current = Current;
        var versions = new List<WrappedDekVersionDto>(_versions.Length);
        foreach (WrappedDekVersion version in _versions)
        {
            versions.Add(new WrappedDekVersionDto
            {
                DekVersion = version.DekVersion,
                WrappedDek = version.WrappedDek.ToArray(),
                KekId = version.KekId,
                KekVersion = version.KekVersion,
            });
        }

        return new ThreadKeyMaterialDto
        {
            KeyId = KeyId,
            WrappedDek = current.WrappedDek.ToArray(),
            KekId = current.KekId,
            KekVersion = current.KekVersion,
            DekVersion = current.DekVersion,
            Versions = versions,
        };
    }

    internal static ThreadKeyMaterial FromDto(ThreadKeyMaterialDto? dto)
    {
        if (dto is null)
        {
            throw new KeyMaterialFormatException("kms key material is null");
        }

        if (string.IsNullOrEmpty(dto.KeyId))
        {
            throw new KeyMaterialFormatException("kms key material has no key_id");
        }

        var versions = new List<WrappedDekVersion>();
        if (dto.Versions is { Count: > 0 })
        {
            for (int i = 0; i < dto.Versions.Count; i++)
            {
                WrappedDekVersionDto? entry = dto.Versions[i];
                if (entry is null)
                {
                    throw new KeyMaterialFormatException($"kms key material versions[{i}] is null");
                }

                versions.Add(ToVersion(entry.DekVersion, entry.WrappedDek, entry.KekId, entry.KekVersion, $"versions[{i}]"));
            }
        }
        else
        {
            versions.Add(ToVersion(dto.DekVersion ?? 1, dto.WrappedDek, dto.KekId, dto.KekVersion, "kms block"));
        }

        ThreadKeyMaterial material;
        try
        {
            material = new ThreadKeyMaterial(dto.KeyId, versions);
        }
        catch (ArgumentException e)
        {
            throw new KeyMaterialFormatException($"kms key material of {dto.KeyId} is inconsistent: {e.Message}", e);
        }

        WrappedDekVersion current = material.Current;
        bool consistent =
            (dto.DekVersion is null || dto.DekVersion == current.DekVersion) &&
            (dto.WrappedDek is null || current.WrappedDek.Span.SequenceEqual(dto.WrappedDek)) &&
            (dto.KekId is null || dto.KekId == current.KekId) &&
            (dto.KekVersion is null || dto.KekVersion == current.KekVersion);
        if (!consistent)
        {
            throw new KeyMaterialFormatException(
                $"kms key material of {dto.KeyId} is inconsistent: the top-level fields do not describe the newest DEK version {current.DekVersion}");
        }

        return material;
    }

    private static WrappedDekVersion ToVersion(uint? dekVersion, byte[]? wrappedDek, string? kekId, uint? kekVersion, string where)
    {
        if (dekVersion is null or 0)
        {
            throw new KeyMaterialFormatException($"kms key material {where} needs a dek_version of at least 1");
        }

        if (wrappedDek is null)
        {
            throw new KeyMaterialFormatException($"kms key material {where} has no wrapped_dek");
        }

        if (string.IsNullOrEmpty(kekId))
        {
            throw new KeyMaterialFormatException($"kms key material {where} has no kek_id");
        }

        if (kekVersion is null)
        {
            throw new KeyMaterialFormatException($"kms key material {where} has no kek_version");
        }

        try
        {
            return new WrappedDekVersion(dekVersion.Value, wrappedDek, kekId, kekVersion.Value);
        }
        catch (ArgumentException e)
        {
            throw new KeyMaterialFormatException($"kms key material {where} is invalid: {e.Message}", e);
        }
    }
}
