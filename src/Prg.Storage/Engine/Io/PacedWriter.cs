// One dedicated thread that performs every FASTER write (hybrid-log page flushes, checkpoint files):
// synchronous O_SYNC pwrites in chunks, small writes first.
//
// WHY (docs/benchmarks.md, "The checkpoint stall"): FASTER's own device performs each write as a
// blocking pwrite on a thread-pool thread, and FASTER's checkpoint state machine waits SYNCHRONOUSLY
// for its small metadata writes (DeviceLogCommitCheckpointManager.WriteInto) on whatever pool thread
// drives it. On a server with one or two cores the pool runs one or two workers; with one of them
// blocked on a write that itself needs a pool thread, every queued request continuation waited for
// the pool's starvation heuristic (a new thread every ~0.5 s): a 0.5-1 s stall of all requests at each
// checkpoint. Here no FASTER write needs the pool, completions run on this thread (they only signal or
// queue more writes), a checkpoint's small metadata write overtakes the queued bulk flush, and
// at most one chunk is in the device queue ahead of a WAL fdatasync.
using FASTER.core;

namespace Prg.Storage.Engine.Io;

internal sealed class PacedWriter : IDisposable
{
    private readonly object _lock = new();
    private readonly Queue<WriteRequest> _urgent = new();   // at most one chunk each (guarded by _lock)
    private readonly Queue<WriteRequest> _bulk = new();     // guarded by _lock
    private readonly Thread _thread;
    private readonly uint _chunkBytes;
    private bool _stopping;

    /// <param name="chunkBytes">Largest single write handed to the device (a multiple of 4096).</param>
    public PacedWriter(int chunkBytes)
    {
        if (chunkBytes < 4096 || chunkBytes % 4096 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "must be a positive multiple of 4096");
        }

        _chunkBytes = (uint)chunkBytes;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "prg-hlog-writer" };
        _thread.Start();
    }

    /// <summary>Queues a write; <paramref name="callback"/> runs on the writer thread once all of it is durable (or failed).</summary>
    public void Enqueue(PacedDevice device, IntPtr source, int segment, ulong offset, uint length, DeviceIOCompletionCallback callback, object context)
    {
        var request = new WriteRequest(device, source, segment, offset, length, callback, context);
        lock (_lock)
        {
            if (!_stopping)
            {
                (device.SmallWritesFirst && length <= _chunkBytes ? _urgent : _bulk).Enqueue(request);
                Monitor.Pulse(_lock);
                return;
            }
        }
        callback(uint.MaxValue, 0, context); // closed: FASTER must still hear that the write did not happen
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.Pulse(_lock);
        }
        _thread.Join();
    }

    private void WriteLoop()
    {
        WriteRequest? current = null;
        uint done = 0;
        while (true)
        {
            WriteRequest? urgent = null;
            lock (_lock)
            {
                while (_urgent.Count == 0 && current is null && _bulk.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_lock);
                }

                if (_urgent.Count > 0)
                {
                    urgent = _urgent.Dequeue();
                }
                else if (current is null && _bulk.Count > 0)
                {
                    (current, done) = (_bulk.Dequeue(), 0);
                }
                else if (current is null)
                {
                    break; // stopping and drained
                }
            }

            if (urgent is { } small)
            {
                Complete(small, Write(small, 0, small.Length));
                continue;
            }
            WriteRequest bulk = current!.Value;
            uint size = Math.Min(_chunkBytes, bulk.Length - done);
            uint error = Write(bulk, done, size);
            done += size;
            if (error != 0 || done == bulk.Length)
            {
                Complete(bulk, error);
                current = null;
            }
        }
    }

    private static unsafe uint Write(WriteRequest request, uint from, uint size)
    {
        try
        {
            var data = new ReadOnlySpan<byte>((byte*)request.Source + from, (int)size);
            RandomAccess.Write(request.Device.HandleFor(request.Segment), data, (long)(request.Offset + from));
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            return e is IOException io && (io.HResult & 0xFFFF) != 0 ? (uint)(io.HResult & 0xFFFF) : uint.MaxValue;
        }
    }

    private static void Complete(WriteRequest request, uint error)
        => request.Callback(error, error == 0 ? request.Length : 0, request.Context);

    private readonly record struct WriteRequest(
        PacedDevice Device, IntPtr Source, int Segment, ulong Offset, uint Length, DeviceIOCompletionCallback Callback, object Context);
}
