// The write-ahead log's writer: appends framed records into bounded in-memory buffers and makes them
// durable from ONE dedicated committer thread (pwrite + fdatasync, group commit).
//
// Group commit: the committer snapshots the tail under the lock, writes everything before it and
// fdatasyncs once; every record appended before that snapshot is covered, so N concurrent writers
// share one fsync. Waiters hold the completion source of the flush that will cover them. The committer
// completes it through ONE thread-pool work item, which runs the waiters' continuations one after
// another: no caller's code ever runs on the committer thread (a slow continuation cannot delay the
// next fsync) or inline on a socket event thread, and a flush covering N requests costs one pool
// hand-off instead of N (each a queue operation and often a thread wake-up: on this project's
// one-core servers those context switches were the largest share of server CPU per post).
//
// Memory is bounded by BufferCount buffers. When all are waiting to be written, TryAppend refuses
// and the caller waits in WaitForFreeBuffer OUTSIDE its own locks, so readers and the committer are
// never stuck behind a blocked appender.
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine.Wal;

internal sealed class WalWriter : IDisposable
{
    private readonly WalSegments _segments;
    private readonly long _segmentSize;
    private readonly int _bufferSize;
    private readonly int _bufferCount;
    private readonly bool _relaxed;
    private readonly TimeSpan _relaxedInterval;
    private readonly LatencyHistogram _syncLatency;
    private readonly object _lock = new();
    private readonly object _freeSignal = new();
    private readonly Queue<WalBuffer> _unwritten = new();   // sealed, oldest first (guarded by _lock)
    private readonly Stack<WalBuffer> _free = new();         // guarded by _lock
    private readonly SemaphoreSlim _flushSignal = new(0);
    private readonly Dictionary<long, SafeFileHandle> _handles = [];  // committer only
    private readonly Thread _committer;
    private WalBuffer _active;
    private int _allocated;
    private long _tail;
    private long _durable;
    private long _preparedUpTo;
    private int _flushRequested;
    private volatile bool _stopping;
    private volatile Exception? _fault;
    private TaskCompletionSource _nextFlush = NewFlushSource();
    private long _fsyncs;

    /// <param name="startLsn">Where the next record goes: the end of the recovered log.</param>
    /// <param name="prefix">The bytes of <paramref name="startLsn"/>'s page before it (already in the file).</param>
    public WalWriter(WalSegments segments, long startLsn, ReadOnlySpan<byte> prefix, int bufferSize, int bufferCount,
        bool relaxed, TimeSpan relaxedInterval, LatencyHistogram syncLatency)
    {
        _segments = segments;
        _segmentSize = segments.SegmentSize;
        _bufferSize = bufferSize + WalBuffer.PageSize; // room for a carried-over partial page
        _bufferCount = Math.Max(2, bufferCount);
        _relaxed = relaxed;
        _relaxedInterval = relaxedInterval;
        _syncLatency = syncLatency;
        _tail = startLsn;
        _durable = startLsn;
        _preparedUpTo = startLsn / _segmentSize;
        _active = Rent()!;
        long offset = startLsn % _segmentSize;
        _active.Reset(startLsn / _segmentSize, WalBuffer.AlignDown(offset));
        prefix.CopyTo(_active.Data);
        _active.Length = prefix.Length;
        _committer = new Thread(CommitLoop) { IsBackground = true, Name = "prg-wal-committer" };
    }

    /// <summary>Next LSN to be written.</summary>
    public long Tail
    {
        get
        {
            lock (_lock)
            {
                return _tail;
            }
        }
    }

    /// <summary>Everything before this LSN is on disk.</summary>
    public long DurableLsn => Volatile.Read(ref _durable);

    /// <summary>fdatasync rounds completed.</summary>
    public long Fsyncs => Interlocked.Read(ref _fsyncs);

    public void Start() => _committer.Start();

    /// <summary>
    /// Frames <paramref name="payload"/> at the tail. False (and nothing changed) when every buffer is
    /// waiting for the disk: call <see cref="WaitForFreeBuffer"/> outside any lock and retry.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> payload, out long endLsn)
    {
        int size = WalRecordHeader.FramedSize(payload.Length);
        lock (_lock)
        {
            ThrowIfFaulted();
            long segmentOffset = _tail % _segmentSize;
            // A record always leaves room for the segment-end marker, so every segment change is
            // marked and replay can tell a missing segment from the end of the log.
            bool nextSegment = _segmentSize - segmentOffset < size + WalRecordHeader.Size;
            // Room for the record and, always, a segment-end marker after it.
            if ((nextSegment || _active.Free < size + WalRecordHeader.Size) && _free.Count == 0 && _allocated >= _bufferCount)
            {
                endLsn = 0;
                RequestFlush();
                return false;
            }
            if (nextSegment)
            {
                StartNextSegment();
            }
            else if (_active.Free < size + WalRecordHeader.Size)
            {
                StartNextBuffer();
            }

            long durable = Volatile.Read(ref _durable);
            WalRecordHeader.Write(_active.Data.AsSpan(_active.Length, size), _tail, durable, payload);
            _active.Length += size;
            _tail += size;
            endLsn = _tail;
            return true;
        }
    }

    /// <summary>Blocks until the committer returns a buffer (or briefly, then the caller retries).</summary>
    public void WaitForFreeBuffer()
    {
        RequestFlush();
        lock (_freeSignal)
        {
            Monitor.Wait(_freeSignal, 50);
        }

        ThrowIfFaulted();
    }

    /// <summary>Completes when everything before <paramref name="lsn"/> is durable.</summary>
    public ValueTask WaitDurableAsync(long lsn, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _durable) >= lsn)
        {
            return default;
        }

        TaskCompletionSource flush = Volatile.Read(ref _nextFlush);
        // The committer swaps _nextFlush and snapshots the tail in one step: a source read before the
        // swap belongs to a flush that covers lsn (appended earlier); one read after, to the next.
        if (Volatile.Read(ref _durable) >= lsn)
        {
            return default;
        }

        if (_fault is { } fault)
        {
            return ValueTask.FromException(new IOException("The write-ahead log failed; the store must be reopened.", fault));
        }

        RequestFlush();
        return new ValueTask(cancellationToken.CanBeCanceled ? flush.Task.WaitAsync(cancellationToken) : flush.Task);
    }

    /// <summary>Makes everything appended so far durable.</summary>
    public ValueTask FlushAsync() => WaitDurableAsync(Tail, CancellationToken.None);

    /// <summary>Frees the segments wholly before <paramref name="lsn"/> (already covered by a checkpoint).</summary>
    public void RetireBefore(long lsn)
    {
        long firstKept = Math.Min(lsn, DurableLsn) / _segmentSize;
        long current;
        lock (_lock)
        {
            current = _tail / _segmentSize;
        }

        _segments.Retire(firstKept, current);
    }

    /// <summary>Stops the committer after a last flush. Appends are refused afterwards.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _flushSignal.Release();
        if (_committer.IsAlive)
        {
            _committer.Join();
        }

        foreach (SafeFileHandle handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
        _flushSignal.Dispose();
    }

    // Continuations run synchronously, but only ever inside Complete's pool work item.
    private static TaskCompletionSource NewFlushSource() => new(TaskCreationOptions.None);

    /// <summary>Completes <paramref name="flush"/> (and runs its waiters) on a thread-pool thread.</summary>
    private static void Complete(TaskCompletionSource flush, Exception? error = null)
    {
        if (error is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static f => f.TrySetResult(), flush, preferLocal: false);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(f => f.TrySetException(error), flush, preferLocal: false);
        }
    }

    private void RequestFlush()
    {
        if (Interlocked.Exchange(ref _flushRequested, 1) == 0 && !_stopping)
        {
            _flushSignal.Release();
        }
    }

    private void ThrowIfFaulted()
    {
        if (_stopping)
        {
            throw new ObjectDisposedException(nameof(WalWriter));
        }

        if (_fault is { } fault)
        {
            throw new IOException("The write-ahead log failed; the store must be reopened.", fault);
        }
    }

    private WalBuffer? Rent()
    {
        if (_free.TryPop(out WalBuffer? buffer))
        {
            return buffer;
        }

        if (_allocated >= _bufferCount)
        {
            return null;
        }

        _allocated++;
        return new WalBuffer(_bufferSize);
    }

    // Under _lock; a free buffer is known to exist.
    private void StartNextSegment()
    {
        long segmentOffset = _tail % _segmentSize;
        WalRecordHeader.Write(_active.Data.AsSpan(_active.Length, WalRecordHeader.Size), _tail, Volatile.Read(ref _durable), default, segmentEnd: true);
        _active.Length += WalRecordHeader.Size;
        _tail += _segmentSize - segmentOffset;
        Seal(_tail / _segmentSize, 0, default);
    }

    // Under _lock: the next buffer starts at the current page and carries its bytes so far, so the
    // committer can keep writing whole pages.
    private void StartNextBuffer()
    {
        long segmentOffset = _tail % _segmentSize;
        long pageStart = WalBuffer.AlignDown(segmentOffset);
        int carried = (int)(segmentOffset - pageStart);
        int from = (int)(pageStart - _active.SegmentOffset);
        Seal(_tail / _segmentSize, pageStart, _active.Data.AsSpan(from, carried));
    }

    private void Seal(long segment, long segmentOffset, ReadOnlySpan<byte> carried)
    {
        WalBuffer next = Rent()!;
        next.Reset(segment, segmentOffset);
        carried.CopyTo(next.Data);
        next.Length = carried.Length;
        _active.Sealed = true;
        _unwritten.Enqueue(_active);
        _active = next;
    }

    private void CommitLoop()
    {
        while (true)
        {
            if (_relaxed)
            {
                _flushSignal.Wait(_relaxedInterval);
            }
            else
            {
                _flushSignal.Wait();
            }

            bool last = _stopping;
            // Reset before the snapshot: a request arriving later triggers another round.
            Volatile.Write(ref _flushRequested, 0);
            Interlocked.MemoryBarrier();
            if (_fault is null)
            {
                Flush();
            }

            if (last)
            {
                return;
            }
        }
    }

    private void Flush()
    {
        TaskCompletionSource done;
        long target;
        var work = new List<(WalBuffer Buffer, int To)>();
        lock (_lock)
        {
            target = _tail;
            done = _nextFlush;
            Volatile.Write(ref _nextFlush, NewFlushSource());
            foreach (WalBuffer sealedBuffer in _unwritten)
            {
                work.Add((sealedBuffer, sealedBuffer.Length));
            }

            work.Add((_active, _active.Length));
        }
        if (target == Volatile.Read(ref _durable))
        {
            // Nothing new to write, but a waiter may hold this source: it read it just after the
            // previous round swapped sources, while that round was still making its record durable.
            Complete(done);
            return;
        }
        try
        {
            // Open (and if need be create) every segment first: a segment-end marker must never reach
            // the disk before the segment it points to exists durably.
            var synced = new List<long>(2);
            foreach ((WalBuffer buffer, int to) in work)
            {
                if (to > buffer.Written)
                {
                    HandleFor(buffer.Segment);
                }
            }
            foreach ((WalBuffer buffer, int to) in work)
            {
                if (to > buffer.Written)
                {
                    SafeFileHandle handle = HandleFor(buffer.Segment);
                    int from = (int)WalBuffer.AlignDown(buffer.Written);
                    int end = WalBuffer.AlignUp(to);
                    RandomAccess.Write(handle, buffer.Data.AsSpan(from, end - from), buffer.SegmentOffset + from);
                    buffer.Written = to;
                    if (!synced.Contains(buffer.Segment))
                    {
                        synced.Add(buffer.Segment);
                    }
                }
            }
            long start = Stopwatch.GetTimestamp();
            foreach (long segment in synced)
            {
                Posix.FDataSync(_handles[segment], _segments.PathOf(segment));
            }

            _syncLatency.Record(Stopwatch.GetTimestamp() - start);
            Interlocked.Increment(ref _fsyncs);
        }
        catch (Exception e)
        {
            // Nothing after the last good flush can be acknowledged any more: fail every waiter now
            // and every later append (the store must be reopened, which replays what reached disk).
            _fault = e;
            Complete(done, new IOException("The write-ahead log could not be written.", e));
            Complete(Volatile.Read(ref _nextFlush), new IOException("The write-ahead log could not be written.", e));
            lock (_freeSignal)
            {
                Monitor.PulseAll(_freeSignal);
            }

            return;
        }
        Volatile.Write(ref _durable, target);
        Complete(done);
        ReturnWrittenBuffers();
    }

    private void ReturnWrittenBuffers()
    {
        bool freed = false;
        long current;
        lock (_lock)
        {
            while (_unwritten.TryPeek(out WalBuffer? b) && b.Written == b.Length)
            {
                _unwritten.Dequeue();
                _free.Push(b);
                freed = true;
            }
            current = _active.Segment;
        }
        if (freed)
        {
            lock (_freeSignal)
            {
                Monitor.PulseAll(_freeSignal);
            }
        }
        foreach (long segment in _handles.Keys.Where(s => s < current).ToList())
        {
            _handles[segment].Dispose();
            _handles.Remove(segment);
        }
    }

    private SafeFileHandle HandleFor(long segment)
    {
        if (_handles.TryGetValue(segment, out SafeFileHandle? handle))
        {
            return handle;
        }

        _segments.Prepare(segment); // normally done ahead (below); this is the fallback
        handle = _segments.OpenForWrite(segment);
        _handles[segment] = handle;
        if (segment + 1 > Interlocked.Read(ref _preparedUpTo))
        {
            Interlocked.Exchange(ref _preparedUpTo, segment + 1);
            // A 16 MB zero-fill and fdatasync: on its own thread, never a thread-pool one (a blocked pool
            // worker on a one-core server holds up every request; see Io/PacedWriter).
            _ = Task.Factory.StartNew(() =>
            {
                try
                {
                    _segments.Prepare(segment + 1);
                }
                catch (IOException)
                {
                    // Retried synchronously when the segment is needed; a real failure surfaces there.
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        return handle;
    }
}
