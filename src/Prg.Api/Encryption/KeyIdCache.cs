// The key id of a thread's kms block, remembered by the block's bytes so a request does not parse
// the key-material JSON again. Keyed by content (not by the array instance), so a rotation, which
// rewrites the block, is a new entry; bounded by dropping everything when full.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Prg.Crypto;

namespace Prg.Api.Encryption;

internal sealed class KeyIdCache(int capacity = 16_384)
{
    private readonly ConcurrentDictionary<byte[], string> _keyIds = new(ContentComparer.Instance);
    private int _count;

    /// <exception cref="KeyMaterialFormatException">The block is not key material with a key id.</exception>
    public string KeyIdOf(byte[] kms)
    {
        if (_keyIds.TryGetValue(kms, out string? keyId))
        {
            return keyId;
        }

        keyId = ThreadKeyMaterial.ReadKeyId(kms);
        if (Interlocked.Increment(ref _count) > capacity)
        {
            _keyIds.Clear();
            Volatile.Write(ref _count, 1);
        }

        // A private copy: the caller's array may be a buffer it reuses.
        _keyIds.TryAdd(kms.AsSpan().ToArray(), keyId);
        return keyId;
    }

    private sealed class ContentComparer : IEqualityComparer<byte[]>
    {
        public static readonly ContentComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        // Length plus a few words from the start (the key id) and the end (the newest wrapped DEK):
        // cheap, and a collision costs only a byte comparison.
        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.Add(bytes.Length);
            if (bytes.Length >= 64)
            {
                ReadOnlySpan<ulong> head = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan(0, 32));
                ReadOnlySpan<ulong> tail = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan(bytes.Length - 32));
                foreach (ulong word in head)
                {
                    hash.Add(word);
                }

                foreach (ulong word in tail)
                {
                    hash.Add(word);
                }
            }
            else
            {
                hash.AddBytes(bytes);
            }

            return hash.ToHashCode();
        }
    }
}
