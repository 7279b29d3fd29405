// Durable generic key-value store: FASTER KV holds the state, the project's own write-ahead log
// (Wal/) makes every commit durable with group commit, fold-over checkpoints bound recovery,
// compaction bounds disk. The data directory is locked for the store's life and carries its format
// version (DataDirectory).
//
// Write path: Apply() takes one short global lock, appends the whole batch as ONE WAL record (a copy
// into memory, never I/O), applies it to FASTER (so the next read sees it: read-your-writes) and
// releases the lock. WaitDurableAsync() then waits for the record's group commit on the WAL's
// dedicated committer thread (pwrite + fdatasync of a preallocated segment; see WalWriter). In
// Relaxed mode the committer instead flushes every RelaxedFlushInterval.
//
// Checkpoint (every CheckpointInterval while there are new commits, or after CheckpointLogBytes of WAL):
// under the global lock read the WAL tail L0, store it as FASTER's commit cookie, start a fold-over
// checkpoint and wait for its version switch (a few microseconds; no batch can then straddle the
// checkpoint, so the checkpoint is exactly the state after every record before L0), release the lock,
// wait for the checkpoint to be persisted, then truncate the WAL before L0. Keeping L0 inside FASTER's
// own checkpoint metadata makes (checkpoint, L0) one atomic unit: there is no separate manifest that a
// crash could leave out of step with the checkpoint FASTER recovers.
//
// FASTER's own writes (hybrid-log page flushes, checkpoint files) all go through Io/PacedWriter: one
// dedicated thread, small chunks, completions on that thread. FASTER's default device blocks a
// thread-pool thread per write and its checkpoint waits synchronously for its metadata writes, which
// starved the pool (and so every request) for up to seconds at each checkpoint.
//
// Recovery (Open): recover the latest FASTER checkpoint, read L0 from its cookie, replay the WAL from L0
// in order (WalReader: every record verified; a torn tail dropped and reported; damage refuses to open
// unless salvaging). Records are full-value puts/deletes, so replaying from any earlier point converges.
// Any replay is followed by a fresh checkpoint.
//
// Compaction (documented policy): the maintenance loop compacts the FASTER hybrid log when it is at
// least CompactionMinBytes long AND has grown to CompactionGrowthFactor times its length right after the
// previous compaction (i.e. roughly that fraction is reclaimable overwritten or deleted data). It
// compacts everything up to the read-only boundary (live records are copied to the tail; dead records
// and delete tombstones are dropped) and is followed at once by a checkpoint, which physically deletes
// the compacted log segments. Compact() runs the same step on demand.
using System.Buffers.Binary;
using System.Diagnostics;
using FASTER.core;
using Prg.Storage.Engine.Io;
using Prg.Storage.Engine.Wal;
using Session = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, byte[], FASTER.core.Empty, FASTER.core.SpanByteFunctions_ByteArrayOutput<FASTER.core.Empty>>;

namespace Prg.Storage.Engine;

/// <summary>
/// A durable byte-array key-value store with atomic multi-key batches. Reads are safe from any thread.
/// </summary>
public sealed partial class DurableKv : IDisposable, IAsyncDisposable, IEngineStats
{
    private const int WalEntryOverhead = 64;

    private readonly DurableKvOptions _options;
    private readonly DataDirectory _directory;
    private readonly WalSegments _segments;
    private readonly PacedWriter? _pacedWriter;
    private readonly IDevice _hlogDevice;
    private readonly DeviceLogCommitCheckpointManager _checkpointManager;
    private readonly string _checkpointDir;
    private readonly FasterKV<SpanByte, SpanByte> _store;
    private readonly SpanByteFunctions_ByteArrayOutput<Empty> _functions = new();
    private readonly Session _writerSession;
    private readonly Session _maintenanceSession;
    private readonly object _writeLock = new();
    private readonly SemaphoreSlim _maintenanceGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly LatencyHistogram _commitLatency = new();
    private readonly int _maxRecordBytes;
    private WalWriter _wal = null!;
    private Task _maintenanceTask = Task.CompletedTask;

    private int _disposed;
    private bool _closed;
    private volatile Exception? _fault;

    private long _commits;
    private long _bytesAppended;
    private long _checkpoints;
    private long _compactions;
    private long _maintenanceErrors;
    private long _lastCheckpointWal;
    private long _lastCheckpointTimestamp;
    private long _hlogBytesAfterCompaction;

    private DurableKv(DurableKvOptions options, DataDirectory directory, WalSegments segments)
    {
        _options = options;
        _directory = directory;
        _segments = segments;
        string kvDir = Path.Combine(directory.Root, "kv");
        _checkpointDir = Path.Combine(kvDir, "checkpoints");
        System.IO.Directory.CreateDirectory(kvDir, DataDirectory.DirectoryMode);
        System.IO.Directory.CreateDirectory(_checkpointDir, DataDirectory.DirectoryMode);

        _maxRecordBytes = (1 << options.WalPageSizeBits) - WalEntryOverhead;
        _hlogDevice = Devices.CreateLogDevice(Path.Combine(kvDir, "hlog.log"), preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        INamedDeviceFactory checkpointFiles = new LocalStorageNamedDeviceFactory();
        if (options.HybridLogWriteChunkBytes > 0)
        {
            _pacedWriter = new PacedWriter(options.HybridLogWriteChunkBytes);
            _hlogDevice = new PacedDevice(_hlogDevice, _pacedWriter, smallWritesFirst: false);
            checkpointFiles = new PacedDeviceFactory(_pacedWriter);
        }
        _checkpointManager = new DeviceLogCommitCheckpointManager(
            checkpointFiles, new DefaultCheckpointNamingScheme(_checkpointDir), removeOutdated: true);
        try
        {
            _store = new FasterKV<SpanByte, SpanByte>(new FasterKVSettings<SpanByte, SpanByte>
            {
                IndexSize = 1L << options.IndexSizeBits,
                LogDevice = _hlogDevice,
                PageSize = 1L << options.PageSizeBits,
                SegmentSize = 1L << options.SegmentSizeBits,
                MemorySize = 1L << options.MemorySizeBits,
                CheckpointManager = _checkpointManager,
                RemoveOutdatedCheckpoints = true,
                TryRecoverLatest = false,
                EqualityComparer = new KeyHash(),
            });
            _writerSession = NewSession();
            _maintenanceSession = NewSession();
        }
        catch
        {
            _store?.Dispose();
            _checkpointManager.Dispose();
            _hlogDevice.Dispose();
            _pacedWriter?.Dispose();
            throw;
        }
    }

    /// <summary>Opens (creating or recovering) the store in <see cref="DurableKvOptions.Directory"/>.</summary>
    /// <exception cref="StoreOpenException">
    /// Another process has the directory, its format version is not this store's, or its log or
    /// checkpoint is damaged or missing beyond a torn tail (the message is one line naming the file).
    /// </exception>
    public static DurableKv Open(DurableKvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DataDirectory directory = DataDirectory.Acquire(Path.GetFullPath(options.Directory));
        DurableKv? kv = null;
        try
        {
            string walDir = Path.Combine(directory.Root, "wal");
            var segments = new WalSegments(walDir, 1L << options.WalSegmentSizeBits);
            directory.EnsureFormat(() =>
            {
                System.IO.Directory.CreateDirectory(walDir, DataDirectory.DirectoryMode);
                segments.Prepare(0);
            });
            kv = new DurableKv(options, directory, segments);
            kv.Recover();
            kv._lookups = LookupPrefetch.Find(kv._store, options.PageSizeBits);
            kv.StartBackgroundLoops();
            return kv;
        }
        catch
        {
            if (kv is not null)
            {
                kv.ReleaseResources();
            }
            else
            {
                directory.Dispose();
            }

            throw;
        }
    }

    /// <summary>The options the store was opened with.</summary>
    public DurableKvOptions Options => _options;

    /// <summary>Batches committed (WAL records appended) since open, excluding recovery replay.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>WAL flushes (each one fdatasync, shared by every record appended before it) since open.</summary>
    public long Fsyncs => _wal.Fsyncs;

    /// <summary>Latency of each WAL fdatasync (the cost a durable commit waits for).</summary>
    public LatencyHistogram CommitLatency => _commitLatency;

    /// <summary>WAL payload bytes appended since open.</summary>
    public long BytesAppended => Interlocked.Read(ref _bytesAppended);

    /// <summary>Checkpoints completed since open (including the one after a recovery replay).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Hybrid-log compactions run since open.</summary>
    public long Compactions => Interlocked.Read(ref _compactions);

    /// <summary>WAL records replayed by the last recovery (0 after a clean shutdown).</summary>
    public long LastRecoveryReplayCount { get; private set; }

    /// <summary>Wall time of the last recovery (checkpoint load plus WAL replay).</summary>
    public TimeSpan LastRecoveryTime { get; private set; }

    /// <summary>True if the last recovery found a torn record at the end of the WAL and dropped it.</summary>
    public bool LastRecoveryDroppedTornRecord { get; private set; }

    /// <summary>Torn WAL tail records dropped by recovery at open (0 or 1).</summary>
    public long TornTailRecords => LastRecoveryDroppedTornRecord ? 1 : 0;

    /// <summary>Damaged WAL ranges skipped by a salvage open, as (from LSN, to LSN).</summary>
    public IReadOnlyList<(long From, long To)> SalvagedRanges { get; private set; } = [];

    /// <summary>WAL bytes appended since the last checkpoint.</summary>
    public long WalBytesSinceCheckpoint => Math.Max(0, _wal.Tail - Interlocked.Read(ref _lastCheckpointWal));

    /// <summary>Logical size of the FASTER hybrid log (memory plus disk) in bytes.</summary>
    public long HybridLogBytes => _store.Log.TailAddress - _store.Log.BeginAddress;

    /// <summary>Background checkpoint/compaction/flush failures since open.</summary>
    public long MaintenanceErrors => Interlocked.Read(ref _maintenanceErrors);

    /// <summary>Reads the current value of <paramref name="key"/>.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        byte[]? found = Read(key, static stored => stored.ToArray(), (byte[]?)null);
        value = found ?? [];
        return found is not null;
    }

    /// <summary>True if <paramref name="key"/> currently has a value.</summary>
    public bool ContainsKey(ReadOnlySpan<byte> key) => TryGet(key, out _);

    /// <summary>Applies <paramref name="batch"/> atomically and completes once it is durable (per <see cref="DurableKvOptions.Durability"/>).</summary>
    public ValueTask CommitAsync(WriteBatch batch, CancellationToken cancellationToken = default)
        => WaitDurableAsync(Apply(batch), cancellationToken);

    /// <summary>
    /// Appends <paramref name="batch"/> to the WAL and applies it; it is visible to reads when this
    /// returns, but not yet durable: await <see cref="WaitDurableAsync"/> (after releasing any locks
    /// the caller holds, so concurrent callers share fsyncs). Never does I/O; it waits only when the
    /// WAL's bounded memory is full of unwritten records, and then outside the store's lock.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is larger than one WAL page allows.</exception>
    public CommitHandle Apply(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfUnusable();
        if (batch.Count == 0)
        {
            return default;
        }

        ReadOnlySpan<byte> record = batch.Encoded;
        if (record.Length > _maxRecordBytes)
        {
            throw new ArgumentException($"Write batch is {record.Length} bytes; the limit is {_maxRecordBytes} (WAL page size).", nameof(batch));
        }

        while (true)
        {
            lock (_writeLock)
            {
                ThrowIfUnusable();
                if (_wal.TryAppend(record, out long end))
                {
                    try
                    {
                        ApplyRecord(_writerSession, record);
                    }
                    catch (Exception e)
                    {
                        // The WAL holds the record but memory may hold half of it: stop accepting work; a
                        // restart replays the record whole.
                        _fault = e;
                        throw new InvalidOperationException("The store failed while applying a batch and must be reopened.", e);
                    }
                    _commits++;
                    _bytesAppended += record.Length;
                    return new CommitHandle(end);
                }
            }
            _wal.WaitForFreeBuffer();
        }
    }

    /// <summary>Completes when the commit identified by <paramref name="handle"/> is durable (immediately in Relaxed mode).</summary>
    public ValueTask WaitDurableAsync(CommitHandle handle, CancellationToken cancellationToken = default)
    {
        if (handle.WalAddress == 0 || _options.Durability == Durability.Relaxed)
        {
            return default;
        }

        return _wal.WaitDurableAsync(handle.WalAddress, cancellationToken);
    }

    /// <summary>Flushes the WAL, takes a final checkpoint and closes. Safe to call more than once.</summary>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();

    /// <summary>Flushes the WAL, takes a final checkpoint and closes. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            await _maintenanceTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        Exception? failure = null;
        await _maintenanceGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_fault is null)
            {
                await _wal.FlushAsync().ConfigureAwait(false);
                await CheckpointCoreAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            lock (_writeLock)
            {
                _closed = true;
            }

            _maintenanceGate.Release();
            ReleaseResources();
        }
        if (failure is not null)
        {
            throw new IOException("Closing the store failed; committed data remains recoverable from the WAL on the next open.", failure);
        }
    }

    private Session NewSession() => _store.For(_functions).NewSession<SpanByteFunctions_ByteArrayOutput<Empty>>();

    private static unsafe void ApplyRecord(Session session, ReadOnlySpan<byte> record)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(record[1..]);
        int pos = WalRecord.HeaderSize;
        fixed (byte* p = record)
        {
            for (int i = 0; i < count; i++)
            {
                if (!WalRecord.TryReadOp(record, ref pos, out byte op, out Range keyRange, out Range valueRange))
                {
                    throw new InvalidDataException("Malformed WAL record.");
                }

                (int keyOffset, int keyLength) = keyRange.GetOffsetAndLength(record.Length);
                var key = SpanByte.FromPointer(p + keyOffset, keyLength);
                Status status;
                if (op == WalRecord.OpPut)
                {
                    (int valueOffset, int valueLength) = valueRange.GetOffsetAndLength(record.Length);
                    var value = SpanByte.FromPointer(p + valueOffset, valueLength);
                    status = session.Upsert(ref key, ref value);
                }
                else
                {
                    status = session.Delete(ref key);
                }
                if (status.IsPending)
                {
                    session.CompletePending(wait: true);
                }
            }
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_closed || Volatile.Read(ref _disposed) != 0, this);
        if (_fault is { } fault)
        {
            throw new InvalidOperationException("The store failed while applying a batch and must be reopened.", fault);
        }
    }

    private void ReleaseResources()
    {
        try
        {
            DisposeReaders();
            _writerSession.Dispose();
            _maintenanceSession.Dispose();
            _wal?.Dispose();
            _store.Dispose();
            _checkpointManager.Dispose();
            _hlogDevice.Dispose();
            _pacedWriter?.Dispose();
            _stop.Dispose();
        }
        finally
        {
            _directory.Dispose(); // whatever failed above, the directory can be opened again
        }
    }
}
