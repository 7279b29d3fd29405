// The key service's error body, {"error": message, "code": protocol code}, read through the
// source-generated serializer (as fast as a hand-written reader here; docs/benchmarks.md).
using System.Text.Json.Serialization;

namespace Prg.Crypto;

internal sealed class KmsErrorBody
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("code")]
    public string? Code { get; set; }
}
