// Unit of work for one chat operation: read-through cache of decoded records plus the dirty set that
// becomes one atomic WriteBatch. Also used read-only by listings so a record is decoded once per page.
using System.Text;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

internal sealed class ChatTx
{
    private const int MaxStackKeyBytes = 1024;

    private readonly DurableKv _kv;
    private readonly Dictionary<string, object?> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?> _dirty = new(StringComparer.Ordinal);

    public ChatTx(DurableKv kv) => _kv = kv;

    /// <summary>The decoded record (null if absent), read and decoded once per ChatTx without copying the stored bytes.</summary>
    public T? Get<T>(string key, DurableKv.ValueDecoder<T> decode) where T : class
    {
        if (_cache.TryGetValue(key, out object? cached))
        {
            return cached as T ?? (cached is null ? null : throw new InvalidDataException($"Key '{key}' holds an unexpected record type."));
        }

        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> keyBytes = max <= MaxStackKeyBytes ? stackalloc byte[max] : new byte[max];
        int length = Encoding.UTF8.GetBytes(key, keyBytes);
        T? value = _kv.Read<T?>(keyBytes[..length], decode, null);
        _cache[key] = value;
        return value;
    }

    public string? GetString(string key) => Get(key, static d => Encoding.UTF8.GetString(d));

    public void Put(string key, IStoredRecord record)
    {
        _cache[key] = record;
        _dirty[key] = record;
    }

    public void PutString(string key, string value)
    {
        _cache[key] = value;
        _dirty[key] = Encoding.UTF8.GetBytes(value);
    }

    public void Delete(string key)
    {
        _cache[key] = null;
        _dirty[key] = null;
    }

    /// <summary>Appends every change to <paramref name="batch"/> and forgets them.</summary>
    public void Flush(WriteBatch batch)
    {
        var writer = new RecordWriter(256);
        foreach ((string key, object? value) in _dirty)
        {
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            switch (value)
            {
                case null:
                    batch.Delete(keyBytes);
                    break;
                case byte[] raw:
                    batch.Put(keyBytes, raw);
                    break;
                case IStoredRecord record:
                    writer.Reset();
                    record.WriteTo(ref writer);
                    batch.Put(keyBytes, writer.Written);
                    break;
                default:
                    throw new InvalidOperationException($"Cannot store a {value.GetType().Name}.");
            }
        }
        _dirty.Clear();
    }
}
