// Reads that hand the stored value to a decoder as a span instead of allocating a byte[] per read:
// values up to ReadBufferBytes land in a stack buffer, larger ones in pooled memory returned at once.
// The chat store decodes every record through this, so a page allocates only what it decodes.
using System.Buffers;
using System.Collections.Concurrent;
using FASTER.core;
using SpanSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByteAndMemory, FASTER.core.Empty, Prg.Storage.Engine.DurableKv.SpanReadFunctions>;

namespace Prg.Storage.Engine;

public sealed partial class DurableKv
{
    private const int ReadBufferBytes = 2048;

    private readonly SpanReadFunctions _spanFunctions = new();
    private readonly ConcurrentBag<SpanSession> _spanReaders = new();

    /// <summary>Decodes a stored value; the span is valid only during the call.</summary>
    public delegate T ValueDecoder<out T>(ReadOnlySpan<byte> value);

    /// <summary>
    /// Reads <paramref name="key"/> and returns <paramref name="decode"/> of its value, or
    /// <paramref name="missing"/> when the key has none; no copy of the value outlives the call.
    /// </summary>
    public unsafe T Read<T>(ReadOnlySpan<byte> key, ValueDecoder<T> decode, T missing)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("Key must not be empty.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(decode);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SpanSession session = _spanReaders.TryTake(out SpanSession? pooled)
            ? pooled
            : _store.For(_spanFunctions).NewSession<SpanReadFunctions>();
        try
        {
            byte* buffer = stackalloc byte[ReadBufferBytes];
            fixed (byte* k = key)
            {
                var keyBytes = SpanByte.FromPointer(k, key.Length);
                var output = new SpanByteAndMemory(SpanByte.FromPointer(buffer, ReadBufferBytes));
                Status status = session.Read(ref keyBytes, ref output);
                if (status.IsPending)
                {
                    session.CompletePendingWithOutputs(out var outputs, wait: true);
                    using (outputs)
                    {
                        if (!outputs.Next())
                        {
                            throw new InvalidOperationException("FASTER completed a pending read without an output.");
                        }

                        status = outputs.Current.Status;
                        output = outputs.Current.Output;
                    }
                }
                if (!status.Found)
                {
                    output.Memory?.Dispose();
                    return missing;
                }
                if (output.IsSpanByte)
                {
                    return decode(output.SpanByte.AsReadOnlySpan());
                }

                using (output.Memory)
                {
                    return decode(output.Memory.Memory.Span[..output.Length]);
                }
            }
        }
        finally
        {
            _spanReaders.Add(session);
        }
    }

    private void DisposeReaders()
    {
        while (_spanReaders.TryTake(out SpanSession? session))
        {
            session.Dispose();
        }
    }

    /// <summary>Copies a read value into the caller's SpanByte if it fits, else into pooled memory.</summary>
    internal sealed class SpanReadFunctions : SpanByteFunctions<SpanByte, SpanByteAndMemory, Empty>
    {
        public override bool SingleReader(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref SpanByteAndMemory dst, ref ReadInfo readInfo)
        {
            value.CopyTo(ref dst, MemoryPool<byte>.Shared);
            return true;
        }

        public override bool ConcurrentReader(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref SpanByteAndMemory dst, ref ReadInfo readInfo)
        {
            value.CopyTo(ref dst, MemoryPool<byte>.Shared);
            return true;
        }
    }
}
