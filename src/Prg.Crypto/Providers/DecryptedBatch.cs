// The plaintexts of a batch of frames (a page of messages) in one pooled buffer, so opening a page
// allocates one object instead of an array per frame. Dispose returns (and clears) the buffer.
using System.Buffers;

namespace Prg.Crypto;

/// <summary>
/// Per item, its plaintext or the reason it failed (as in <see cref="DecryptResult"/>). Views are
/// valid until <see cref="Dispose"/>. Not thread-safe.
/// </summary>
public sealed class DecryptedBatch : IDisposable
{
    private byte[] _buffer;
    private int[] _starts;
    private int[] _lengths;
    private CryptoException?[]? _errors;
    private int _used;

    private DecryptedBatch(int count, int capacity)
    {
        Count = count;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        _starts = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        _lengths = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        _starts.AsSpan(0, count).Clear();
        _lengths.AsSpan(0, count).Clear();
    }

    public int Count { get; }

    /// <summary>True if every item decrypted.</summary>
    public bool AllSucceeded => _errors is null;

    /// <summary>A batch of <paramref name="count"/> items whose plaintexts total at most <paramref name="capacity"/> bytes; fill it in order.</summary>
    public static DecryptedBatch Create(int count, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        return new DecryptedBatch(count, capacity);
    }

    /// <summary>Copies per-item results (a provider without a pooled path) into a batch.</summary>
    public static DecryptedBatch FromResults(IReadOnlyList<DecryptResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int capacity = 0;
        foreach (DecryptResult result in results)
        {
            capacity += result.Plaintext?.Length ?? 0;
        }

        var batch = new DecryptedBatch(results.Count, capacity);
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i].Plaintext is { } plaintext)
            {
                plaintext.CopyTo(batch.Reserve(i, plaintext.Length));
            }
            else
            {
                batch.Fail(i, results[i].Error!);
            }
        }

        return batch;
    }

    /// <summary>Item <paramref name="index"/>'s plaintext; throws its error if it failed.</summary>
    public ReadOnlySpan<byte> this[int index] => Memory(index).Span;

    /// <summary>Item <paramref name="index"/>'s plaintext as memory (valid until disposal); throws its error if it failed.</summary>
    public ReadOnlyMemory<byte> Memory(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return Error(index) is { } error ? throw error : _buffer.AsMemory(_starts[index], _lengths[index]);
    }

    /// <summary>Why item <paramref name="index"/> failed, or null.</summary>
    public CryptoException? Error(int index) => _errors?[index];

    /// <summary>The first failure in the batch, or null.</summary>
    public CryptoException? FirstError()
    {
        if (_errors is not null)
        {
            foreach (CryptoException? error in _errors)
            {
                if (error is not null)
                {
                    return error;
                }
            }
        }

        return null;
    }

    /// <summary>Space for item <paramref name="index"/>'s plaintext of <paramref name="length"/> bytes; reserve items in order, within the capacity.</summary>
    public Span<byte> Reserve(int index, int length)
    {
        _starts[index] = _used;
        _lengths[index] = length;
        _used += length;
        return _buffer.AsSpan(_starts[index], length);
    }

    /// <summary>Marks item <paramref name="index"/> failed (after a reservation, its bytes are cleared and given back).</summary>
    internal void Fail(int index, CryptoException error)
    {
        if (_lengths[index] > 0 && _starts[index] + _lengths[index] == _used)
        {
            _buffer.AsSpan(_starts[index], _lengths[index]).Clear();
            _used = _starts[index];
        }

        _starts[index] = 0;
        _lengths[index] = 0;
        (_errors ??= new CryptoException?[Count])[index] = error;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        // Plaintexts are user data: clear them before the buffer serves someone else.
        _buffer.AsSpan(0, _used).Clear();
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<int>.Shared.Return(_lengths);
        _buffer = [];
        _starts = [];
        _lengths = [];
        _used = 0;
    }
}
