// Source-generated System.Text.Json metadata for the Crypto layer's JSON (AOT/trim safe).
using System.Text.Json.Serialization;

namespace Prg.Crypto;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ThreadKeyMaterialDto))]
[JsonSerializable(typeof(KmsErrorBody))]
internal sealed partial class CryptoJsonContext : JsonSerializerContext
{
}
