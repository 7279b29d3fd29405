// JSON shape of one entry of the "kms.versions" list; the block's top level repeats the current entry
// (ThreadKeyMaterialDto), so it extends this shape.
using System.Text.Json.Serialization;

namespace Prg.Crypto;

internal class WrappedDekVersionDto
{
    [JsonPropertyName("wrapped_dek")]
    public byte[]? WrappedDek { get; set; }

    [JsonPropertyName("kek_id")]
    public string? KekId { get; set; }

    [JsonPropertyName("kek_version")]
    public uint? KekVersion { get; set; }

    [JsonPropertyName("dek_version")]
    public uint? DekVersion { get; set; }
}
