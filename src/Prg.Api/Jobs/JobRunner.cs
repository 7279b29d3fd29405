// The durable background-job runner: creates job records, runs each job on its own task, persists
// progress through JobContext checkpoints, and on start-up resumes every job left unfinished by a
// crash or shutdown from its stored cursor.
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Prg.Api.Chat;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Jobs;

public sealed class JobRunner : IAsyncDisposable
{
    private readonly JobStore _store;
    private readonly Log _log;
    private readonly Dictionary<string, IJobKind> _kinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (JobContext Context, Task Task)> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JobContext> _live = new(StringComparer.Ordinal);
    private readonly Lock _conflictLock = new();
    private readonly Dictionary<string, string> _conflicts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _started;
    private long _succeeded;
    private long _failed;
    private bool _disposed;
    private readonly TimeSpan _batchPause;

    public JobRunner(ChatStore store, Log log, TimeSpan batchPause = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(log);
        _store = new JobStore(store);
        _log = log;
        _batchPause = batchPause;
    }

    public JobStore Store => _store;

    /// <summary>Jobs started (or resumed) by this process.</summary>
    public long Started => Interlocked.Read(ref _started);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    public int Running => _running.Count;

    /// <summary>Makes a kind runnable; call before <see cref="ResumeUnfinished"/>.</summary>
    public void Register(IJobKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        _kinds.Add(kind.Kind, kind);
    }

    /// <summary>
    /// Durably creates a queued job and marks it unfinished, without starting it (the caller may have
    /// to do something first, then calls <see cref="Launch"/> or <see cref="AbandonAsync"/>).
    /// </summary>
    /// <exception cref="JobConflictException">An unfinished job with the same conflict key exists.</exception>
    public async ValueTask<JobContext> CreateAsync(string kind, IReadOnlyDictionary<string, string> parameters, long total)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IJobKind handler = KindOf(kind);
        long now = UnixNanos.Now();
        var record = new JobRecord
        {
            Id = NewId(),
            Kind = kind,
            State = JobStates.Queued,
            Total = total,
            Params = new Dictionary<string, string>(parameters, StringComparer.Ordinal),
            CreatedTs = now,
            UpdatedTs = now,
        };
        string? conflictKey = handler.ConflictKey(record.Params);
        Reserve(conflictKey, record.Id);
        var context = new JobContext(record, _store, _log, _batchPause);
        try
        {
            await _store.SaveAsync(record.Clone()).ConfigureAwait(false);
            await _store.AddActiveAsync(record.Id).ConfigureAwait(false);
        }
        catch
        {
            Release(conflictKey, record.Id);
            throw;
        }
        _live[record.Id] = context;
        return context;
    }

    /// <summary>Starts a job made by <see cref="CreateAsync"/>.</summary>
    public void Launch(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _started);
        // Registered before it starts, so a job that finishes at once cannot be left behind in the table.
        var start = new Task<Task>(() => RunAsync(context));
        _running[context.Id] = (context, start.Unwrap());
        start.Start(TaskScheduler.Default);
    }

    /// <summary>Finishes a created job as failed without running it (its preparation failed).</summary>
    public async ValueTask AbandonAsync(JobContext context, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetState(JobStates.Failed, message);
        await FinishAsync(context).ConfigureAwait(false);
        Interlocked.Increment(ref _failed);
    }

    /// <summary>Starts every job a previous run left unfinished; returns how many.</summary>
    public async ValueTask<int> ResumeUnfinishedAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int resumed = 0;
        foreach (JobRecord record in _store.ActiveRecords())
        {
            if (_live.ContainsKey(record.Id))
            {
                continue;
            }
            var context = new JobContext(record, _store, _log, _batchPause);
            if (!_kinds.TryGetValue(record.Kind, out IJobKind? kind))
            {
                _log.Error("unfinished job has an unknown kind; marking it failed",
                    LogField.Text("job", record.Id), LogField.Text("kind", record.Kind));
                context.SetState(JobStates.Failed, $"unknown job kind '{record.Kind}'");
                await _store.SaveAsync(context.Snapshot()).ConfigureAwait(false);
                await _store.RemoveActiveAsync(record.Id).ConfigureAwait(false);
                continue;
            }
            Reserve(kind.ConflictKey(record.Params), record.Id);
            _live[record.Id] = context;
            _log.Info("resuming job",
                LogField.Text("job", record.Id), LogField.Text("kind", record.Kind),
                LogField.Number("done", record.Done), LogField.Number("total", record.Total));
            Launch(context);
            resumed++;
        }
        return resumed;
    }

    /// <summary>The job's current state (live progress while it runs), or null for an unknown id.</summary>
    public JobRecord? Get(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return _live.TryGetValue(jobId, out JobContext? context) ? context.Snapshot() : _store.Get(jobId);
    }

    /// <summary>The id of the unfinished job holding <paramref name="conflictKey"/>, if any.</summary>
    public string? ActiveJobFor(string conflictKey)
    {
        lock (_conflictLock)
        {
            return _conflicts.GetValueOrDefault(conflictKey);
        }
    }

    /// <summary>Waits for a running job to finish (tests, orderly hand-over).</summary>
    public Task WhenFinished(string jobId) =>
        _running.TryGetValue(jobId, out var running) ? running.Task : Task.CompletedTask;

    /// <summary>Stops running jobs at their next await; their state stays "running" so the next start resumes them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        foreach (var (_, (_, task)) in _running)
        {
            await task.ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    private async Task RunAsync(JobContext context)
    {
        IJobKind kind = _kinds[context.Kind];
        CancellationToken stop = _stop.Token;
        try
        {
            context.SetState(JobStates.Running);
            await context.CheckpointAsync().ConfigureAwait(false);
            _log.Info("job started", LogField.Text("job", context.Id), LogField.Text("kind", context.Kind));
            await kind.RunAsync(context, stop).ConfigureAwait(false);
            context.SetState(context.FailRequested ? JobStates.Failed : JobStates.Done);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutdown: the last checkpoint stands and the job resumes at the next start.
            _log.Info("job interrupted by shutdown; it resumes at the next start",
                LogField.Text("job", context.Id), LogField.Number("done", context.Done));
            _running.TryRemove(context.Id, out _);
            return;
        }
        catch (Exception e)
        {
            context.SetState(JobStates.Failed, e.Message);
            _log.Error("job failed", LogField.Text("job", context.Id), LogField.Text("kind", context.Kind), LogField.Error(e));
        }

        try
        {
            await FinishAsync(context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The record stays "running" in storage, so the next start runs the (idempotent) job again.
            _log.Error("could not record the end of a job", LogField.Text("job", context.Id), LogField.Error(e));
            _running.TryRemove(context.Id, out _);
            return;
        }
        JobRecord final = context.Snapshot();
        if (final.State == JobStates.Done)
        {
            Interlocked.Increment(ref _succeeded);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
        _log.Info("job finished",
            LogField.Text("job", final.Id), LogField.Text("kind", final.Kind), LogField.Text("state", final.State),
            LogField.Number("done", final.Done), LogField.Number("errors", final.Errors));
        _running.TryRemove(context.Id, out _);
    }

    private async ValueTask FinishAsync(JobContext context)
    {
        await context.CheckpointAsync().ConfigureAwait(false);
        await _store.RemoveActiveAsync(context.Id).ConfigureAwait(false);
        _live.TryRemove(context.Id, out _);
        Release(_kinds.TryGetValue(context.Kind, out IJobKind? kind) ? kind.ConflictKey(context.Params) : null, context.Id);
    }

    private IJobKind KindOf(string kind) =>
        _kinds.TryGetValue(kind, out IJobKind? handler) ? handler : throw new ArgumentException($"unknown job kind '{kind}'", nameof(kind));

    private void Reserve(string? conflictKey, string jobId)
    {
        if (conflictKey is null)
        {
            return;
        }
        lock (_conflictLock)
        {
            if (_conflicts.TryGetValue(conflictKey, out string? running) && running != jobId)
            {
                throw new JobConflictException(running, $"job {running} is already doing this ({conflictKey})");
            }
            _conflicts[conflictKey] = jobId;
        }
    }

    private void Release(string? conflictKey, string jobId)
    {
        if (conflictKey is null)
        {
            return;
        }
        lock (_conflictLock)
        {
            if (_conflicts.TryGetValue(conflictKey, out string? holder) && holder == jobId)
            {
                _conflicts.Remove(conflictKey);
            }
        }
    }

    private static string NewId()
    {
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        long ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return string.Create(CultureInfo.InvariantCulture, $"job-{ms}-{Convert.ToHexStringLower(random)}");
    }
}
