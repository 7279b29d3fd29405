// Source-generated System.Text.Json metadata for the few types serialised as whole objects.
using System.Text.Json.Serialization;

namespace Prg.Api;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DevKeys))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
