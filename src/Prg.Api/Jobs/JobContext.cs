// A running job's handle on its own record: progress counters, the resume cursor and checkpoints.
// The job's task is the only writer; GET /admin/jobs/{id} reads snapshots concurrently.
using Prg.Api.Chat;
using Prg.Logging;

namespace Prg.Api.Jobs;

public sealed class JobContext
{
    private readonly Lock _lock = new();
    private readonly JobRecord _record;
    private readonly JobStore _store;
    private readonly TimeSpan _batchPause;

    internal JobContext(JobRecord record, JobStore store, Log log, TimeSpan batchPause)
    {
        _record = record;
        _store = store;
        _batchPause = batchPause;
        Log = log;
        Id = record.Id;
        Kind = record.Kind;
        Params = new Dictionary<string, string>(record.Params, StringComparer.Ordinal);
    }

    public string Id { get; }

    public string Kind { get; }

    public IReadOnlyDictionary<string, string> Params { get; }

    public Log Log { get; }

    public string? Cursor
    {
        get
        {
            lock (_lock)
            {
                return _record.Cursor;
            }
        }
    }

    public long Done
    {
        get
        {
            lock (_lock)
            {
                return _record.Done;
            }
        }
    }

    public long Errors
    {
        get
        {
            lock (_lock)
            {
                return _record.Errors;
            }
        }
    }

    internal bool FailRequested { get; private set; }

    /// <summary>A required parameter; a record without it is corrupt.</summary>
    public string Param(string name) =>
        Params.TryGetValue(name, out string? value) && value.Length > 0
            ? value
            : throw new InvalidDataException($"job {Id} ({Kind}) has no '{name}' parameter");

    /// <summary>Records progress after a batch: items handled, errors, the new cursor and the known total.</summary>
    public void Advance(long done, long errors, string? cursor, long total)
    {
        lock (_lock)
        {
            _record.Done += done;
            _record.Errors += errors;
            _record.Cursor = cursor;
            _record.Total = Math.Max(total, _record.Done);
        }
    }

    /// <summary>Starts over from the beginning (the cursor item vanished); items are idempotent.</summary>
    public void Restart(long total)
    {
        lock (_lock)
        {
            _record.Done = 0;
            _record.Cursor = null;
            _record.Total = total;
        }
    }

    /// <summary>Marks the job failed when it returns (errors were counted; the message says why).</summary>
    public void Fail(string message)
    {
        lock (_lock)
        {
            _record.Message = message;
        }
        FailRequested = true;
    }

    /// <summary>Durably saves the record as it is now.</summary>
    public ValueTask CheckpointAsync() => _store.SaveAsync(Snapshot(touch: true));

    /// <summary>
    /// Ends a batch: checkpoints, then waits the configured pause (`encryption.rotation_batch_pause`) so a
    /// long job leaves the core and the disk to foreground requests between batches.
    /// </summary>
    public async ValueTask BatchDoneAsync(CancellationToken cancellationToken)
    {
        await CheckpointAsync().ConfigureAwait(false);
        if (_batchPause > TimeSpan.Zero)
        {
            await Task.Delay(_batchPause, cancellationToken).ConfigureAwait(false);
        }
    }

    public JobRecord Snapshot() => Snapshot(touch: false);

    internal void SetState(string state, string? message = null)
    {
        lock (_lock)
        {
            _record.State = state;
            if (message is not null)
            {
                _record.Message = message;
            }
            if (state == JobStates.Done)
            {
                _record.Total = _record.Done;
            }
        }
    }

    private JobRecord Snapshot(bool touch)
    {
        lock (_lock)
        {
            if (touch)
            {
                _record.UpdatedTs = UnixNanos.Now();
            }
            return _record.Clone();
        }
    }
}
