// Source-generated System.Text.Json metadata for the job records kept in sys keys (AOT-safe).
using System.Text.Json.Serialization;

namespace Prg.Api.Jobs;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JobRecord))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class JobJsonContext : JsonSerializerContext;
