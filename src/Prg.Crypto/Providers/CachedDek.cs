// An unwrapped DEK held by the DEK cache: its version and AesGcm pool (which owns the pinned key
// bytes), reference-counted so eviction never zeroes a key that a request is still using.
namespace Prg.Crypto;

internal sealed class CachedDek
{
    // Starts at 1: the cache's own reference. The last Release disposes the pool (zeroing the key).
    private int _references = 1;

    internal CachedDek(uint version, AesGcmPool pool)
    {
        Version = version;
        Pool = pool;
    }

    internal uint Version { get; }

    internal AesGcmPool Pool { get; }

    /// <summary>Called by the cache, under its lock, while the cache's own reference is still held.</summary>
    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Pool.Dispose();
        }
    }
}
