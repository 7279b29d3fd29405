// The embedded provider's bounded LRU cache of key material and unwrapped DEKs. Bounded in both
// key ids and unwrapped DEKs; evicted DEKs are zeroed as soon as no request is using them.
using System.Diagnostics.CodeAnalysis;

namespace Prg.Crypto;

internal sealed class DekCache : IDisposable
{
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<DekCacheEntry>> _entries = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<DekCacheEntry> _lru = new();
    private int _dekCount;
    private long _evictions;
    private bool _disposed;

    internal DekCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    internal int DekCount
    {
        get
        {
            lock (_lock)
            {
                return _dekCount;
            }
        }
    }

    internal int EntryCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    internal long Evictions => Interlocked.Read(ref _evictions);

    internal bool TryGetMaterial(string keyId, [NotNullWhen(true)] out ThreadKeyMaterial? material)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(keyId, out LinkedListNode<DekCacheEntry>? node))
            {
                Touch(node);
                material = node.Value.Material;
                return true;
            }

            material = null;
            return false;
        }
    }

    /// <summary>The unwrapped DEK of the key's current version, referenced for the caller, or null.</summary>
    internal CachedDek? TryAcquireCurrent(string keyId)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(keyId, out LinkedListNode<DekCacheEntry>? node))
            {
                return null;
            }

            Touch(node);
            CachedDek? dek = node.Value.Find(node.Value.Material.CurrentDekVersion);
            dek?.AddReference();
            return dek;
        }
    }

    /// <summary>The unwrapped DEK of one version, referenced for the caller, or null.</summary>
    internal CachedDek? TryAcquire(string keyId, uint version)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(keyId, out LinkedListNode<DekCacheEntry>? node))
            {
                return null;
            }

            Touch(node);
            CachedDek? dek = node.Value.Find(version);
            dek?.AddReference();
            return dek;
        }
    }

    /// <summary>
    /// Adds an unwrapped DEK (taking the cache's reference to it) and returns it referenced for the
    /// caller. If the version is already cached, the new one is released and the cached one returned.
    /// The entry is created with <paramref name="material"/> if absent; an existing entry keeps its
    /// material, which only <see cref="SetMaterial"/> replaces.
    /// </summary>
    internal CachedDek AddAndAcquire(ThreadKeyMaterial material, CachedDek dek)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                dek.Release();
                throw new ObjectDisposedException(nameof(DekCache));
            }

            LinkedListNode<DekCacheEntry> node = GetOrAddLocked(material, replaceMaterial: false);
            CachedDek? existing = node.Value.Find(dek.Version);
            if (existing is not null)
            {
                dek.Release();
                existing.AddReference();
                return existing;
            }

            node.Value.Deks.Add(dek);
            _dekCount++;
            dek.AddReference();
            EvictLocked(node);
            return dek;
        }
    }

    /// <summary>Records new authoritative material for a key (after a rotation or rewrap was saved).</summary>
    internal void SetMaterial(ThreadKeyMaterial material)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            LinkedListNode<DekCacheEntry> node = GetOrAddLocked(material, replaceMaterial: true);
            EvictLocked(node);
        }
    }

    /// <summary>The pool of a cached DEK without referencing it (tests only).</summary>
    internal AesGcmPool? PeekPoolForTesting(string keyId, uint version)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(keyId, out LinkedListNode<DekCacheEntry>? node) ? node.Value.Find(version)?.Pool : null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (DekCacheEntry entry in _lru)
            {
                ReleaseAll(entry);
            }

            _lru.Clear();
            _entries.Clear();
            _dekCount = 0;
        }
    }

    private LinkedListNode<DekCacheEntry> GetOrAddLocked(ThreadKeyMaterial material, bool replaceMaterial)
    {
        if (_entries.TryGetValue(material.KeyId, out LinkedListNode<DekCacheEntry>? node))
        {
            if (replaceMaterial)
            {
                node.Value.Material = material;
            }

            Touch(node);
            return node;
        }

        node = _lru.AddFirst(new DekCacheEntry(material));
        _entries.Add(material.KeyId, node);
        return node;
    }

    private void Touch(LinkedListNode<DekCacheEntry> node)
    {
        if (_lru.First != node)
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
        }
    }

    // Evicts least recently used entries, never the one just used, until both bounds hold.
    private void EvictLocked(LinkedListNode<DekCacheEntry> keep)
    {
        while ((_dekCount > _capacity || _entries.Count > _capacity) && _lru.Last is { } last && last != keep)
        {
            _lru.RemoveLast();
            _entries.Remove(last.Value.KeyId);
            _dekCount -= last.Value.Deks.Count;
            ReleaseAll(last.Value);
            Interlocked.Increment(ref _evictions);
        }
    }

    private static void ReleaseAll(DekCacheEntry entry)
    {
        foreach (CachedDek dek in entry.Deks)
        {
            dek.Release();
        }

        entry.Deks.Clear();
    }
}
