// What provisioning or rotating a DEK returns: the seed's (key_id, wrapped_dek, kek_id,
// kek_version) of the current version, plus the full material for the thread meta.
namespace Prg.Crypto;

/// <summary>A key's current DEK description and its full <see cref="ThreadKeyMaterial"/>.</summary>
public sealed class DekInfo
{
    public DekInfo(ThreadKeyMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        Material = material;
    }

    /// <summary>Everything to store in the thread meta <c>kms</c> block.</summary>
    public ThreadKeyMaterial Material { get; }

    public string KeyId => Material.KeyId;

    /// <summary>The current version's wrapped DEK frame (base64 it for JSON).</summary>
    public ReadOnlyMemory<byte> WrappedDek => Material.Current.WrappedDek;

    public string KekId => Material.Current.KekId;

    public uint KekVersion => Material.Current.KekVersion;

    public uint DekVersion => Material.CurrentDekVersion;
}
