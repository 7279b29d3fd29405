// The key store's record of which KEK is current (kek_id, kek_version) and whether a KEK rotation
// sweep still has DEKs to rewrap, so a rotation survives a restart and resumes.
using System.Text.Json;

namespace Prg.Kms;

internal sealed record KekState(string KekId, uint KekVersion, bool Rotating)
{
    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kek_id"u8, KekId);
            writer.WriteNumber("kek_version"u8, KekVersion);
            writer.WriteBoolean("rotating"u8, Rotating);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">The stored record is not a KEK state.</exception>
    public static KekState Parse(ReadOnlySpan<byte> json)
    {
        string? kekId = null;
        uint? version = null;
        bool rotating = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("the key store's KEK state is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("kek_id"u8))
                {
                    reader.Read();
                    kekId = reader.GetString();
                }
                else if (reader.ValueTextEquals("kek_version"u8))
                {
                    reader.Read();
                    version = reader.GetUInt32();
                }
                else if (reader.ValueTextEquals("rotating"u8))
                {
                    reader.Read();
                    rotating = reader.GetBoolean();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the key store's KEK state is corrupt: {e.Message}", e);
        }

        if (string.IsNullOrEmpty(kekId) || version is null or 0)
        {
            throw new InvalidDataException("the key store's KEK state lacks kek_id or kek_version");
        }

        return new KekState(kekId, version.Value, rotating);
    }
}
