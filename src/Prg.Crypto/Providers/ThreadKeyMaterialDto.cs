// JSON shape of the thread meta "kms" block: the key id, the current version's fields (the seed's
// single-version shape) and every version. Kept apart from ThreadKeyMaterial so the public type can
// validate itself while System.Text.Json (source-generated) handles the wire format.
using System.Text.Json.Serialization;

namespace Prg.Crypto;

internal sealed class ThreadKeyMaterialDto : WrappedDekVersionDto
{
    [JsonPropertyName("key_id")]
    [JsonPropertyOrder(-1)]
    public string? KeyId { get; set; }

    [JsonPropertyName("versions")]
    [JsonPropertyOrder(1)]
    public List<WrappedDekVersionDto>? Versions { get; set; }
}
