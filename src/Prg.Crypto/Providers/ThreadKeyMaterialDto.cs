// JSON shape of the thread meta "kms" block, kept separate from ThreadKeyMaterial so the public
// type can validate itself while System.Text.Json (source-generated) handles the wire format.
using System.Text.Json.Serialization;

namespace Prg.Crypto;

internal sealed class ThreadKeyMaterialDto
{
    [JsonPropertyName("key_id")]
    public string? KeyId { get; set; }

    [JsonPropertyName("wrapped_dek")]
    public byte[]? WrappedDek { get; set; }

    [JsonPropertyName("kek_id")]
    public string? KekId { get; set; }

    [JsonPropertyName("kek_version")]
    public uint? KekVersion { get; set; }

    [JsonPropertyName("dek_version")]
    public uint? DekVersion { get; set; }

    [JsonPropertyName("versions")]
    public List<WrappedDekVersionDto>? Versions { get; set; }
}
