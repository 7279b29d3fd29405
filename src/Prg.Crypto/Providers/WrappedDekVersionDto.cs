// JSON shape of one entry of the "kms.versions" list.
using System.Text.Json.Serialization;

namespace Prg.Crypto;

internal sealed class WrappedDekVersionDto
{
    [JsonPropertyName("dek_version")]
    public uint? DekVersion { get; set; }

    [JsonPropertyName("wrapped_dek")]
    public byte[]? WrappedDek { get; set; }

    [JsonPropertyName("kek_id")]
    public string? KekId { get; set; }

    [JsonPropertyName("kek_version")]
    public uint? KekVersion { get; set; }
}
