// Source-generated System.Text.Json metadata for the encryption layer's sys records (AOT-safe).
using System.Text.Json.Serialization;

namespace Prg.Api.Encryption;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(KekRecord))]
internal sealed partial class EncryptionJsonContext : JsonSerializerContext;
