// Lets ThreadKeyMaterial appear as a property of other layers' source-generated JSON types (the
// thread meta "kms" block) without them knowing its shape.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prg.Crypto;

/// <summary>JSON converter for <see cref="ThreadKeyMaterial"/> (shape documented there).</summary>
public sealed class ThreadKeyMaterialJsonConverter : JsonConverter<ThreadKeyMaterial>
{
    public override ThreadKeyMaterial Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        ThreadKeyMaterialDto? dto = JsonSerializer.Deserialize(ref reader, CryptoJsonContext.Default.ThreadKeyMaterialDto);
        try
        {
            return ThreadKeyMaterial.FromDto(dto);
        }
        catch (KeyMaterialFormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, ThreadKeyMaterial value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToDto(), CryptoJsonContext.Default.ThreadKeyMaterialDto);
}
