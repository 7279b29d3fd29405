// An unwrapped DEK held by the DEK cache: its version and frame key (which owns the locked key
// bytes), reference-counted so eviction never zeroes a key that a request is still using.
namespace Prg.Crypto;

internal sealed class CachedDek
{
    // Starts at 1: the cache's own reference. The last Release disposes the key (zeroing it).
    private int _references = 1;

    internal CachedDek(uint version, FrameKey key)
    {
        Version = version;
        Key = key;
    }

    internal uint Version { get; }

    internal FrameKey Key { get; }

    /// <summary>Called by the cache, under its write lock, while the cache's own reference is still held.</summary>
    internal void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>
    /// References the DEK for a reader that found it without the cache's lock; false if the last
    /// reference is already gone (evicted and zeroed meanwhile), which the reader treats as a miss.
    /// </summary>
    internal bool TryAddReference()
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Key.Dispose();
        }
    }
}
