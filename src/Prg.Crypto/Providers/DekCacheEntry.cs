// One key id in the DEK cache: its current key material and the versions unwrapped so far.
namespace Prg.Crypto;

internal sealed class DekCacheEntry
{
    internal DekCacheEntry(ThreadKeyMaterial material)
    {
        Material = material;
    }

    internal string KeyId => Material.KeyId;

    internal ThreadKeyMaterial Material { get; set; }

    // Usually one or two versions, so a list beats a dictionary.
    internal List<CachedDek> Deks { get; } = [];

    internal CachedDek? Find(uint version)
    {
        foreach (CachedDek dek in Deks)
        {
            if (dek.Version == version)
            {
                return dek;
            }
        }

        return null;
    }
}
