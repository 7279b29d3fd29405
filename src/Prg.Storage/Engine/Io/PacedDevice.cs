// A FASTER device whose writes go through a PacedWriter (its own thread, its own O_SYNC file handles,
// one chunk at a time); reads, segment bookkeeping and truncation are the wrapped device's own. Both
// address the same files: FASTER names segment N of a device "<FileName>.N" (or FileName alone when
// the device was initialised to omit the segment id).
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace Prg.Storage.Engine.Io;

internal sealed class PacedDevice(IDevice inner, PacedWriter writer, bool smallWritesFirst) : IDevice
{
    private readonly Dictionary<int, SafeFileHandle> _handles = [];  // guarded by itself
    private int _segmentSizeBits = 64; // FASTER's "no segments": everything is segment 0
    private bool _omitSegmentId;
    private bool _disposed;

    /// <summary>
    /// Its small writes may overtake queued bulk writes: true for checkpoint files (written once each,
    /// never overlapping), false for the hybrid log, whose partial-page flushes can share a sector and
    /// so must land in order.
    /// </summary>
    public bool SmallWritesFirst => smallWritesFirst;

    public uint SectorSize => inner.SectorSize;
    public string FileName => inner.FileName;
    public long Capacity => inner.Capacity;
    public long SegmentSize => inner.SegmentSize;
    public int StartSegment => inner.StartSegment;
    public int EndSegment => inner.EndSegment;

    public int ThrottleLimit
    {
        get => inner.ThrottleLimit;
        set => inner.ThrottleLimit = value;
    }

    public void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false)
    {
        inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        _segmentSizeBits = segmentSize > 0 ? System.Numerics.BitOperations.Log2((ulong)segmentSize) : 64;
        _omitSegmentId = omitSegmentIdFromFilename;
    }

    public bool TryComplete() => inner.TryComplete();

    public bool Throttle() => inner.Throttle();

    public void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
        => writer.Enqueue(this, sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);

    public void WriteAsync(IntPtr alignedSourceAddress, ulong alignedDestinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        ulong offset = _segmentSizeBits < 64 ? alignedDestinationAddress & ((1UL << _segmentSizeBits) - 1) : alignedDestinationAddress;
        writer.Enqueue(this, alignedSourceAddress, SegmentOf(alignedDestinationAddress), offset, numBytesToWrite, callback, context);
    }

    public void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context)
        => inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    public void ReadAsync(ulong alignedSourceAddress, IntPtr alignedDestinationAddress, uint aligned_read_length, DeviceIOCompletionCallback callback, object context)
        => inner.ReadAsync(alignedSourceAddress, alignedDestinationAddress, aligned_read_length, callback, context);

    // Truncation and removal unlink segment files; the writer's handles to them are closed first.
    public void TruncateUntilAddressAsync(long toAddress, AsyncCallback callback, IAsyncResult result)
        => ClosingBelow(SegmentOf((ulong)toAddress)).TruncateUntilAddressAsync(toAddress, callback, result);

    public void TruncateUntilAddress(long toAddress) => ClosingBelow(SegmentOf((ulong)toAddress)).TruncateUntilAddress(toAddress);

    public void TruncateUntilSegmentAsync(int toSegment, AsyncCallback callback, IAsyncResult result)
        => ClosingBelow(toSegment).TruncateUntilSegmentAsync(toSegment, callback, result);

    public void TruncateUntilSegment(int toSegment) => ClosingBelow(toSegment).TruncateUntilSegment(toSegment);

    public void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
        => Closing(segment).RemoveSegmentAsync(segment, callback, result);

    public void RemoveSegment(int segment) => Closing(segment).RemoveSegment(segment);

    public long GetFileSize(int segment) => inner.GetFileSize(segment);

    public void Reset() => inner.Reset();

    public void Dispose()
    {
        lock (_handles)
        {
            _disposed = true;
            foreach (SafeFileHandle handle in _handles.Values)
            {
                handle.Dispose();
            }

            _handles.Clear();
        }
        inner.Dispose();
    }

    /// <summary>The write handle of <paramref name="segment"/> (opened O_SYNC on first use; the writer thread only).</summary>
    internal SafeFileHandle HandleFor(int segment)
    {
        lock (_handles)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_handles.TryGetValue(segment, out SafeFileHandle? handle))
            {
                string path = _omitSegmentId ? FileName : $"{FileName}.{segment}";
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, FileOptions.WriteThrough);
                _handles[segment] = handle;
            }
            return handle;
        }
    }

    private int SegmentOf(ulong address) => _segmentSizeBits < 64 ? (int)(address >> _segmentSizeBits) : 0;

    private IDevice Closing(int segment)
    {
        lock (_handles)
        {
            if (_handles.Remove(segment, out SafeFileHandle? handle))
            {
                handle.Dispose();
            }
        }
        return inner;
    }

    private IDevice ClosingBelow(int segment)
    {
        lock (_handles)
        {
            foreach (int id in _handles.Keys.Where(id => id < segment).ToList())
            {
                Closing(id);
            }
        }
        return inner;
    }
}
