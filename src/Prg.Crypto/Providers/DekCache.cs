// The embedded provider's bounded cache of key material and unwrapped DEKs. Hits take no lock: a
// concurrent dictionary lookup, a clock bit and a reference count. Misses, material updates and
// eviction (second-chance clock over the entries) are serialised by one write lock, which is fine
// because they unwrap a key anyway. Evicted DEKs are zeroed as soon as no request is using them.
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Prg.Crypto;

internal sealed class DekCache : IDisposable
{
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, DekCacheEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();

    // Under _writeLock: every entry once, in the order the clock hand visits them.
    private readonly List<DekCacheEntry> _clock = [];
    private int _hand;
    private int _dekCount;
    private long _evictions;
    private volatile bool _disposed;

    internal DekCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    internal int DekCount => Volatile.Read(ref _dekCount);

    internal int EntryCount
    {
        get
        {
            lock (_writeLock)
            {
                return _clock.Count;
            }
        }
    }

    internal long Evictions => Interlocked.Read(ref _evictions);

    internal bool TryGetMaterial(string keyId, [NotNullWhen(true)] out ThreadKeyMaterial? material)
    {
        DekCacheEntry? entry = Lookup(keyId);
        material = entry?.Material;
        return material is not null;
    }

    /// <summary>The unwrapped DEK of the key's current version, referenced for the caller, or null.</summary>
    internal CachedDek? TryAcquireCurrent(string keyId) =>
        Lookup(keyId) is { } entry ? Reference(entry.Find(entry.Material.CurrentDekVersion)) : null;

    /// <summary>The unwrapped DEK of one version, referenced for the caller, or null.</summary>
    internal CachedDek? TryAcquire(string keyId, uint version) =>
        Lookup(keyId) is { } entry ? Reference(entry.Find(version)) : null;

    /// <summary>
    /// Adds an unwrapped DEK (taking the cache's reference to it) and returns it referenced for the
    /// caller. If the version is already cached, the new one is released and the cached one returned.
    /// The entry is created with <paramref name="material"/> if absent; an existing entry keeps its
    /// material, which only <see cref="SetMaterial"/> replaces.
    /// </summary>
    internal CachedDek AddAndAcquire(ThreadKeyMaterial material, CachedDek dek)
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                dek.Release();
                throw new ObjectDisposedException(nameof(DekCache));
            }

            DekCacheEntry entry = GetOrAddLocked(material, replaceMaterial: false);
            CachedDek? existing = entry.Find(dek.Version);
            if (existing is not null)
            {
                dek.Release();
                existing.AddReference();
                return existing;
            }

            entry.Deks = [.. entry.Deks, dek];
            Volatile.Write(ref _dekCount, _dekCount + 1);
            dek.AddReference();
            EvictLocked(entry);
            return dek;
        }
    }

    /// <summary>Records new authoritative material for a key (after a rotation or rewrap was saved).</summary>
    internal void SetMaterial(ThreadKeyMaterial material)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            DekCacheEntry entry = GetOrAddLocked(material, replaceMaterial: true);
            EvictLocked(entry);
        }
    }

    /// <summary>The frame key of a cached DEK without referencing it (tests only).</summary>
    internal FrameKey? PeekKeyForTesting(string keyId, uint version) =>
        _entries.TryGetValue(keyId, out DekCacheEntry? entry) ? entry.Find(version)?.Key : null;

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (DekCacheEntry entry in _clock)
            {
                ReleaseAll(entry);
            }

            _clock.Clear();
            _entries.Clear();
            Volatile.Write(ref _dekCount, 0);
        }
    }

    private DekCacheEntry? Lookup(string keyId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_entries.TryGetValue(keyId, out DekCacheEntry? entry))
        {
            return null;
        }

        entry.Touch();
        return entry;
    }

    // Null when the DEK is absent or was evicted and zeroed between the lookup and now.
    private static CachedDek? Reference(CachedDek? dek) => dek is not null && dek.TryAddReference() ? dek : null;

    private DekCacheEntry GetOrAddLocked(ThreadKeyMaterial material, bool replaceMaterial)
    {
        if (_entries.TryGetValue(material.KeyId, out DekCacheEntry? entry))
        {
            if (replaceMaterial)
            {
                entry.Material = material;
            }

            entry.Touch();
            return entry;
        }

        entry = new DekCacheEntry(material);
        _entries[material.KeyId] = entry;
        _clock.Add(entry);
        return entry;
    }

    // Second-chance clock: passes over entries used since the hand last saw them (clearing their
    // bit), evicts the first one that was not, never the one just used, until both bounds hold.
    private void EvictLocked(DekCacheEntry keep)
    {
        while ((_dekCount > _capacity || _clock.Count > _capacity) && _clock.Count > 1)
        {
            if (_hand >= _clock.Count)
            {
                _hand = 0;
            }

            DekCacheEntry candidate = _clock[_hand];
            if (candidate == keep || candidate.ClearReferenced())
            {
                _hand++;
                continue;
            }

            // Swap-remove keeps eviction O(1); the moved entry is visited next.
            _clock[_hand] = _clock[^1];
            _clock.RemoveAt(_clock.Count - 1);
            _entries.TryRemove(candidate.KeyId, out _);
            Volatile.Write(ref _dekCount, _dekCount - candidate.Deks.Length);
            ReleaseAll(candidate);
            Interlocked.Increment(ref _evictions);
        }
    }

    private static void ReleaseAll(DekCacheEntry entry)
    {
        CachedDek[] deks = entry.Deks;
        entry.Deks = [];
        foreach (CachedDek dek in deks)
        {
            dek.Release();
        }
    }
}
