// One key id in the DEK cache: its current key material, the versions unwrapped so far, and the
// clock bit that keeps recently used keys from eviction. Readers never lock: the material and the
// version array are replaced whole (copy on write) by the cache under its write lock.
namespace Prg.Crypto;

internal sealed class DekCacheEntry
{
    private volatile ThreadKeyMaterial _material;

    // Usually one or two versions, so an array beats a dictionary.
    private volatile CachedDek[] _deks = [];
    private int _referenced;

    internal DekCacheEntry(ThreadKeyMaterial material)
    {
        _material = material;
    }

    internal string KeyId => _material.KeyId;

    internal ThreadKeyMaterial Material
    {
        get => _material;
        set => _material = value; // cache write lock held
    }

    internal CachedDek[] Deks
    {
        get => _deks;
        set => _deks = value; // cache write lock held
    }

    /// <summary>Marks the entry used since the clock hand last passed (written only when it changes, so hits share the line).</summary>
    internal void Touch()
    {
        if (Volatile.Read(ref _referenced) == 0)
        {
            Volatile.Write(ref _referenced, 1);
        }
    }

    /// <summary>Clears the clock bit; true if it was set (the entry gets a second chance).</summary>
    internal bool ClearReferenced() => Interlocked.Exchange(ref _referenced, 0) != 0;

    internal CachedDek? Find(uint version)
    {
        foreach (CachedDek dek in _deks)
        {
            if (dek.Version == version)
            {
                return dek;
            }
        }

        return null;
    }
}
