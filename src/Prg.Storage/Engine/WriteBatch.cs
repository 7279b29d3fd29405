// An all-or-nothing group of Put/Delete operations, pre-encoded as the WAL record that will carry it.
using System.Buffers.Binary;

namespace Prg.Storage.Engine;

/// <summary>
/// A set of full-value puts and deletes committed atomically by <see cref="DurableKv"/>.
/// Operations apply in the order they were added. Reusable: call <see cref="Clear"/> and fill again.
/// Not thread-safe.
/// </summary>
/// <remarks>
/// The batch is encoded straight into its WAL record form (see <see cref="WalRecord"/>) as it is
/// built, so committing costs one copy into the log and no re-encoding.
/// </remarks>
public sealed class WriteBatch
{
    /// <summary>Largest key accepted (FASTER keeps keys inline in its hash chains).</summary>
    public const int MaxKeyLength = 4096;

    private byte[] _buffer;
    private int _length;
    private int _count;

    /// <summary>Creates an empty batch.</summary>
    public WriteBatch(int initialCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = new byte[Math.Max(initialCapacity, WalRecord.HeaderSize)];
        Clear();
    }

    /// <summary>Number of operations in the batch.</summary>
    public int Count => _count;

    /// <summary>Encoded size of the batch in bytes (its WAL record payload size).</summary>
    public int EncodedLength => _length;

    /// <summary>Adds a full-value put of <paramref name="value"/> under <paramref name="key"/>.</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        CheckKey(key);
        var span = Reserve(1 + 4 + key.Length + 4 + value.Length);
        span[0] = WalRecord.OpPut;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], key.Length);
        key.CopyTo(span[5..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(5 + key.Length)..], value.Length);
        value.CopyTo(span[(9 + key.Length)..]);
        Added();
    }

    /// <summary>Adds a delete of <paramref name="key"/> (a no-op if the key does not exist).</summary>
    public void Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        var span = Reserve(1 + 4 + key.Length);
        span[0] = WalRecord.OpDelete;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], key.Length);
        key.CopyTo(span[5..]);
        Added();
    }

    /// <summary>Removes every operation so the batch can be reused.</summary>
    public void Clear()
    {
        _buffer[0] = WalRecord.FormatVersion;
        _length = WalRecord.HeaderSize;
        _count = 0;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(1), 0);
    }

    /// <summary>The encoded WAL record (header + operations).</summary>
    internal ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    private static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("Key must not be empty.", nameof(key));
        }

        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"Key is {key.Length} bytes; the limit is {MaxKeyLength}.", nameof(key));
        }
    }

    private Span<byte> Reserve(int size)
    {
        long needed = (long)_length + size;
        if (needed > Array.MaxLength)
        {
            throw new ArgumentException("Write batch is too large.");
        }

        if (needed > _buffer.Length)
        {
            long newSize = Math.Max(needed, (long)_buffer.Length * 2);
            Array.Resize(ref _buffer, (int)Math.Min(newSize, Array.MaxLength));
        }
        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }

    private void Added()
    {
        _count++;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(1), _count);
    }
}
