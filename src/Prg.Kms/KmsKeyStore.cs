// The key service's durable key store on DurableKv (FASTER + WAL with group commit), in its own data
// directory. Layout (all keys ASCII-prefixed):
//   k:<key_id>        ThreadKeyMaterial JSON (every wrapped DEK version of the key)
//   i:<n>             key id of the n-th key created (n = 8-byte big-endian), so a KEK rotation can
//                     visit every key without a scan (DurableKv is a hash store)
//   s:count           number of keys (8-byte big-endian) = next n
//   s:kek             KekState JSON
// A key, its index entry and the count are one atomic batch; a create returns only once durable.
using System.Buffers.Binary;
using System.Text;
using Prg.Crypto;
using Prg.Storage.Engine;

namespace Prg.Kms;

/// <summary><see cref="IDekStore"/> of the key service, with create-if-absent and an index of key ids.</summary>
public sealed class KmsKeyStore : IDekStore, IAsyncDisposable
{
    private static readonly byte[] s_countKey = "s:count"u8.ToArray();
    private static readonly byte[] s_kekKey = "s:kek"u8.ToArray();

    private readonly DurableKv _kv;
    private readonly Lock _writeLock = new();
    private long _count;
    private CommitHandle _lastCommit;

    private KmsKeyStore(DurableKv kv)
    {
        _kv = kv;
        _count = kv.TryGet(s_countKey, out byte[] count) && count.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(count) : 0;
    }

    /// <summary>Keys in the store.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The underlying store (metrics, tests).</summary>
    public DurableKv Kv => _kv;

    /// <summary>Opens (creating or recovering) the store in <paramref name="directory"/>.</summary>
    public static KmsKeyStore Open(string directory, Durability durability = Durability.Fsync)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        // Key material is small: modest FASTER sizes keep the service's footprint a few tens of MB.
        var kv = DurableKv.Open(new DurableKvOptions
        {
            Directory = directory,
            Durability = durability,
            IndexSizeBits = 20,
            PageSizeBits = 20,
            MemorySizeBits = 24,
            SegmentSizeBits = 26,
            WalPageSizeBits = 20,
            WalMemorySizeBits = 22,
            WalSegmentSizeBits = 24,
            CheckpointLogBytes = 16L << 20,
            CompactionMinBytes = 64L << 20,
        });
        return new KmsKeyStore(kv);
    }

    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Get(keyId));

    /// <summary>The stored material of a key id, or null.</summary>
    /// <exception cref="KeyMaterialFormatException">The stored record is corrupt.</exception>
    public ThreadKeyMaterial? Get(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return _kv.TryGet(MaterialKey(keyId), out byte[] json) ? ThreadKeyMaterial.Parse(json) : null;
    }

    /// <summary>Replaces the material of an existing key (rotation, rewrap), durably.</summary>
    /// <exception cref="UnknownKeyException">The key id was never created.</exception>
    public async ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(material);
        byte[] key = MaterialKey(material.KeyId);
        var batch = new WriteBatch(512);
        batch.Put(key, material.ToUtf8Json());
        CommitHandle handle;
        lock (_writeLock)
        {
            if (!_kv.ContainsKey(key))
            {
                throw new UnknownKeyException($"key {material.KeyId} is unknown (no DEK has been provisioned for it)", UnknownKeyReason.KeyId);
            }

            handle = Remember(_kv.Apply(batch));
        }

        await _kv.WaitDurableAsync(handle, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="material"/> if its key id is new; otherwise leaves the stored material
    /// untouched and returns it. Either way the returned material is durable when this completes.
    /// </summary>
    public async ValueTask<(ThreadKeyMaterial Material, bool Created)> CreateIfAbsentAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(material);
        byte[] key = MaterialKey(material.KeyId);
        ThreadKeyMaterial result;
        bool created;
        CommitHandle handle;
        lock (_writeLock)
        {
            if (_kv.TryGet(key, out byte[] existing))
            {
                result = ThreadKeyMaterial.Parse(existing);
                created = false;

                // Another create of this key may have been applied but not yet made durable: wait for
                // everything applied so far, so no caller is told about a key a crash could lose.
                handle = _lastCommit;
            }
            else
            {
                long index = _count;
                var batch = new WriteBatch(512);
                batch.Put(key, material.ToUtf8Json());
                batch.Put(IndexKey(index), Encoding.UTF8.GetBytes(material.KeyId));
                Span<byte> count = stackalloc byte[8];
                BinaryPrimitives.WriteInt64BigEndian(count, index + 1);
                batch.Put(s_countKey, count);
                handle = Remember(_kv.Apply(batch));
                Interlocked.Exchange(ref _count, index + 1);
                result = material;
                created = true;
            }
        }

        await _kv.WaitDurableAsync(handle, cancellationToken).ConfigureAwait(false);
        return (result, created);
    }

    /// <summary>The key id created <paramref name="index"/>-th (0-based), or null if there is none.</summary>
    public string? GetKeyIdAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return _kv.TryGet(IndexKey(index), out byte[] keyId) ? Encoding.UTF8.GetString(keyId) : null;
    }

    internal KekState? ReadKekState() => _kv.TryGet(s_kekKey, out byte[] json) ? KekState.Parse(json) : null;

    internal async ValueTask WriteKekStateAsync(KekState state, CancellationToken cancellationToken)
    {
        var batch = new WriteBatch(128);
        batch.Put(s_kekKey, state.ToUtf8Json());
        CommitHandle handle;
        lock (_writeLock)
        {
            handle = Remember(_kv.Apply(batch));
        }

        await _kv.WaitDurableAsync(handle, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Flushes, checkpoints and closes the store.</summary>
    public ValueTask DisposeAsync() => _kv.DisposeAsync();

    private CommitHandle Remember(CommitHandle handle)
    {
        if (handle.WalAddress > _lastCommit.WalAddress)
        {
            _lastCommit = handle;
        }

        return handle;
    }

    private static byte[] MaterialKey(string keyId)
    {
        byte[] key = new byte[2 + Encoding.UTF8.GetByteCount(keyId)];
        key[0] = (byte)'k';
        key[1] = (byte)':';
        Encoding.UTF8.GetBytes(keyId, key.AsSpan(2));
        return key;
    }

    private static byte[] IndexKey(long index)
    {
        byte[] key = new byte[10];
        key[0] = (byte)'i';
        key[1] = (byte)':';
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(2), index);
        return key;
    }
}
