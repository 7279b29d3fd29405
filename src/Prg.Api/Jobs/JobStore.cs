// Where job records live: sys key "job:<id>" per job (kept after it finishes, so its outcome stays
// readable), "jobs:active", the ids of unfinished jobs, read at start-up to resume them, and the
// latest job of a kind per subject (a thread's DEK rotation) under a key its job kind names.
using System.Text;
using System.Text.Json;
using Prg.Storage.Chat;

namespace Prg.Api.Jobs;

public sealed class JobStore(ChatStore store)
{
    private const string ActiveKey = "jobs:active";

    // Read-modify-write of the active list; a job's own record has a single writer (its context).
    private readonly SemaphoreSlim _activeLock = new(1, 1);

    public static string RecordKey(string jobId) => "job:" + jobId;

    /// <summary>The stored record, or null for an unknown id.</summary>
    /// <exception cref="InvalidDataException">The stored record is not valid JSON.</exception>
    public JobRecord? Get(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        byte[]? json = store.GetSys(RecordKey(jobId));
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(json, JobJsonContext.Default.JobRecord)
                ?? throw new InvalidDataException($"job record {jobId} is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"job record {jobId} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The job id last recorded under <paramref name="key"/> (e.g. a thread's latest DEK rotation), if any.</summary>
    public string? LatestJobId(string key) => store.GetSys(key) is { } id ? Encoding.UTF8.GetString(id) : null;

    /// <summary>Durably records <paramref name="jobId"/> as the latest job under <paramref name="key"/>.</summary>
    public ValueTask SetLatestJobIdAsync(string key, string jobId) => store.PutSysAsync(key, Encoding.UTF8.GetBytes(jobId));

    /// <summary>Durably writes the record (a copy the caller no longer mutates).</summary>
    public ValueTask SaveAsync(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return store.PutSysAsync(RecordKey(record.Id), JsonSerializer.SerializeToUtf8Bytes(record, JobJsonContext.Default.JobRecord));
    }

    /// <summary>Ids of jobs not yet finished, oldest first.</summary>
    public IReadOnlyList<string> ActiveIds()
    {
        byte[]? json = store.GetSys(ActiveKey);
        if (json is null)
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize(json, JobJsonContext.Default.ListString) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the active job list is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The unfinished jobs' records (ids whose record is missing are skipped).</summary>
    public IReadOnlyList<JobRecord> ActiveRecords()
    {
        var records = new List<JobRecord>();
        foreach (string id in ActiveIds())
        {
            if (Get(id) is { } record && !JobStates.IsFinished(record.State))
            {
                records.Add(record);
            }
        }
        return records;
    }

    public async ValueTask AddActiveAsync(string jobId)
    {
        await _activeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var ids = new List<string>(ActiveIds());
            if (!ids.Contains(jobId))
            {
                ids.Add(jobId);
                await WriteActiveAsync(ids).ConfigureAwait(false);
            }
        }
        finally
        {
            _activeLock.Release();
        }
    }

    public async ValueTask RemoveActiveAsync(string jobId)
    {
        await _activeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var ids = new List<string>(ActiveIds());
            if (ids.Remove(jobId))
            {
                await WriteActiveAsync(ids).ConfigureAwait(false);
            }
        }
        finally
        {
            _activeLock.Release();
        }
    }

    private ValueTask WriteActiveAsync(List<string> ids) =>
        store.PutSysAsync(ActiveKey, JsonSerializer.SerializeToUtf8Bytes(ids, JobJsonContext.Default.ListString));
}
