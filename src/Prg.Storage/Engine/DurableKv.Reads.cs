// Reads that hand the stored value to a decoder as a span straight from FASTER's log (or its I/O
// buffer for a record on disk): no byte[] and no copy into a buffer per read. The chat store decodes
// every record through this, so a page allocates only what it decodes.
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using FASTER.core;
using VisitSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, Prg.Storage.Engine.DurableKv.VisitOutput, FASTER.core.Empty, Prg.Storage.Engine.DurableKv.VisitFunctions>;

namespace Prg.Storage.Engine;

public sealed partial class DurableKv
{
    private readonly VisitFunctions _visitFunctions = new();
    private readonly ConcurrentBag<VisitSession> _readers = new();
    private LookupPrefetch? _lookups; // found after recovery (which may rebuild the hash table)

    /// <summary>Keys one <see cref="Prefetch"/> call hints at most.</summary>
    public const int MaxPrefetch = LookupPrefetch.MaxBatch;

    /// <summary>Decodes a stored value; the span is valid only during the call.</summary>
    public delegate T ValueDecoder<out T>(ReadOnlySpan<byte> value);

    /// <summary>
    /// Reads <paramref name="key"/> and returns <paramref name="decode"/> of its value, or
    /// <paramref name="missing"/> when the key has none; no copy of the value outlives the call.
    /// </summary>
    public T Read<T>(ReadOnlySpan<byte> key, ValueDecoder<T> decode, T missing)
    {
        ArgumentNullException.ThrowIfNull(decode);
        DecodeVisitor<T> visitor = DecodeVisitor<T>.Rent(decode);
        try
        {
            return Visit(key, visitor) ? visitor.Result : missing;
        }
        finally
        {
            DecodeVisitor<T>.Return(visitor);
        }
    }

    /// <summary>
    /// Reads <paramref name="key"/> and hands its value to <paramref name="visitor"/> (while the record
    /// is latched: keep the visit short). False when the key has none. An exception of the visit is
    /// rethrown here, after the read has left the store.
    /// </summary>
    public bool Visit(ReadOnlySpan<byte> key, ValueVisitor visitor)
    {
        VisitSession session = TakeReader();
        try
        {
            return Visit(session, key, visitor);
        }
        finally
        {
            _readers.Add(session);
        }
    }

    /// <summary>
    /// A hint that <paramref name="keys"/> (up to 64 keys of <paramref name="keyLength"/> bytes each,
    /// back to back) are about to be read: starts loading their hash buckets and records, so a caller
    /// that knows a run of keys in advance (a page) overlaps their cache and TLB misses.
    /// </summary>
    public void Prefetch(ReadOnlySpan<byte> keys, int keyLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keyLength, 1);
        if (Volatile.Read(ref _disposed) == 0) // the prefetch reads FASTER's buckets: only while they exist
        {
            _lookups?.Prefetch(keys, keyLength);
        }
    }

    /// <summary>What <see cref="Prefetch"/> uses; null without x86 prefetch or when FASTER's table layout was not recognised.</summary>
    internal LookupPrefetch? Lookups => _lookups;

    /// <inheritdoc/>
    public int PagePrefetchStages => _lookups?.Stages ?? 0;

    /// <summary>A run of reads on one reader session (a page's): dispose it to hand the session back.</summary>
    public ReadRun BeginReads() => new(this, TakeReader());

    private VisitSession TakeReader()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _readers.TryTake(out VisitSession? pooled) ? pooled : _store.For(_visitFunctions).NewSession<VisitFunctions>();
    }

    private unsafe bool Visit(VisitSession session, ReadOnlySpan<byte> key, ValueVisitor visitor)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("Key must not be empty.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(visitor);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Status status;
        fixed (byte* k = key)
        {
            var keyBytes = SpanByte.FromPointer(k, key.Length);
            var output = new VisitOutput(visitor);
            status = session.Read(ref keyBytes, ref output);
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
                }
            }
        }

        visitor.ThrowFailure();
        return status.Found;
    }

    /// <summary>Reads on one session, so a page of 50 reads takes and returns a session once. Not thread-safe.</summary>
    public sealed class ReadRun : IDisposable
    {
        private readonly DurableKv _kv;
        private VisitSession? _session;

        internal ReadRun(DurableKv kv, VisitSession session)
        {
            _kv = kv;
            _session = session;
        }

        /// <inheritdoc cref="DurableKv.Visit(ReadOnlySpan{byte}, ValueVisitor)"/>
        public bool Visit(ReadOnlySpan<byte> key, ValueVisitor visitor)
        {
            ObjectDisposedException.ThrowIf(_session is null, this);
            return _kv.Visit(_session, key, visitor);
        }

        /// <inheritdoc cref="DurableKv.Prefetch(ReadOnlySpan{byte}, int)"/>
        public void Prefetch(ReadOnlySpan<byte> keys, int keyLength) => _kv.Prefetch(keys, keyLength);

        public void Dispose()
        {
            if (_session is { } session)
            {
                _session = null;
                _kv._readers.Add(session);
            }
        }
    }

    private void DisposeReaders()
    {
        while (_readers.TryTake(out VisitSession? session))
        {
            session.Dispose();
        }
    }

    /// <summary>Receives a stored value during a <see cref="Visit"/>.</summary>
    public abstract class ValueVisitor
    {
        private ExceptionDispatchInfo? _failure;

        /// <summary>The value; the span is valid only during the call.</summary>
        protected abstract void OnValue(ReadOnlySpan<byte> value);

        // Never lets an exception unwind through FASTER's read (it holds the record's latch).
        internal void Accept(ReadOnlySpan<byte> value)
        {
            try
            {
                OnValue(value);
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
        }

        internal void ThrowFailure()
        {
            if (_failure is { } failure)
            {
                _failure = null;
                failure.Throw();
            }
        }
    }

    /// <summary>The visitor a read hands the value to.</summary>
    internal readonly struct VisitOutput(ValueVisitor visitor)
    {
        public ValueVisitor Visitor { get; } = visitor;
    }

    /// <summary>Calls the read's visitor on the record in place, for records in memory and those read from disk.</summary>
    internal sealed class VisitFunctions : FunctionsBase<SpanByte, SpanByte, SpanByte, VisitOutput, Empty>
    {
        public override bool SingleReader(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref VisitOutput dst, ref ReadInfo readInfo)
        {
            dst.Visitor.Accept(value.AsReadOnlySpan());
            return true;
        }

        public override bool ConcurrentReader(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref VisitOutput dst, ref ReadInfo readInfo)
        {
            dst.Visitor.Accept(value.AsReadOnlySpan());
            return true;
        }
    }

    /// <summary>Adapts a <see cref="ValueDecoder{T}"/> to a visit; one cached per thread and type (reads are synchronous).</summary>
    private sealed class DecodeVisitor<T> : ValueVisitor
    {
        [ThreadStatic]
        private static DecodeVisitor<T>? s_cached;

        private ValueDecoder<T>? _decode;

        public T Result { get; private set; } = default!;

        public static DecodeVisitor<T> Rent(ValueDecoder<T> decode)
        {
            DecodeVisitor<T> visitor = s_cached ?? new DecodeVisitor<T>();
            s_cached = null; // a decoder that reads again gets its own
            visitor._decode = decode;
            return visitor;
        }

        public static void Return(DecodeVisitor<T> visitor)
        {
            visitor._decode = null;
            visitor.Result = default!;
            s_cached = visitor;
        }

        protected override void OnValue(ReadOnlySpan<byte> value) => Result = _decode!(value);
    }
}
