// DEK rotation of one thread (spec/kms.md §6): a new DEK version is current for new writes at once;
// this job then has the chat service re-seal the thread's title and its live messages, every stored
// version of them, under it. Walks newest → oldest (new writes need nothing); the cursor is the
// oldest key handled.
using System.Globalization;
using Prg.Api.Chat;
using Prg.Crypto;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Jobs;

public sealed class DekRotationJob(IChatService chat, IKeyProvider provider, JobRunner runner, Log log, IDekStore dekStore) : IJobKind
{
    public const string KindName = "rotate-dek";
    private const int BatchSize = 50;
    private const string ThreadParam = "thread";
    private const string DekVersionParam = "dek_version";

    private readonly SemaphoreSlim _startLock = new(1, 1);

    public string Kind => KindName;

    public string? ConflictKey(IReadOnlyDictionary<string, string> parameters) =>
        parameters.TryGetValue(ThreadParam, out string? thread) ? KindName + ":" + thread : KindName;

    /// <summary>Sys key holding the id of the thread's latest DEK rotation job (for the admin kms view).</summary>
    public static string LatestJobKey(string threadId) => "kms:dek-rotation:" + threadId;

    /// <summary>The id of the thread's latest DEK rotation job, if it ever had one.</summary>
    public string? LatestJobId(string threadId) => runner.Store.LatestJobId(LatestJobKey(threadId));

    /// <summary>Makes a new DEK version current for the thread and starts re-encrypting its messages.</summary>
    /// <exception cref="JobConflictException">A DEK rotation of this thread is still running.</exception>
    public async ValueTask<(JobRecord Job, uint DekVersion)> StartAsync(ThreadRecord thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (runner.ActiveJobFor(KindName + ":" + thread.Id) is { } running)
            {
                throw new JobConflictException(running, $"a DEK rotation of this thread is already running (job {running})");
            }
            DekInfo rotated = await provider.RotateDekAsync(KeyIds.ForThread(thread.Id), cancellationToken).ConfigureAwait(false);
            // An external key service keeps its own copy; the thread meta must hold every version too
            // (the admin view and the local read fallback use it). Saving again is harmless.
            await dekStore.SaveAsync(rotated.Material, cancellationToken).ConfigureAwait(false);
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ThreadParam] = thread.Id,
                [DekVersionParam] = rotated.DekVersion.ToString(CultureInfo.InvariantCulture),
            };
            JobContext job = await runner.CreateAsync(KindName, parameters, thread.LiveMessages).ConfigureAwait(false);
            await runner.Store.SetLatestJobIdAsync(LatestJobKey(thread.Id), job.Id).ConfigureAwait(false);
            log.Info("DEK rotation started",
                LogField.Text("job", job.Id), LogField.Text("key_id", rotated.KeyId), LogField.Number("dek_version", rotated.DekVersion));
            runner.Launch(job);
            return (job.Snapshot(), rotated.DekVersion);
        }
        finally
        {
            _startLock.Release();
        }
    }

    public async ValueTask RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        string threadId = job.Param(ThreadParam);
        if (!uint.TryParse(job.Param(DekVersionParam), NumberStyles.None, CultureInfo.InvariantCulture, out uint target) || target == 0)
        {
            throw new InvalidDataException($"DEK rotation job {job.Id} has an invalid '{DekVersionParam}' parameter");
        }
        string keyId = KeyIds.ForThread(threadId);
        if (job.Cursor is null && await chat.ResealTitleAsync(threadId, target, cancellationToken).ConfigureAwait(false) is { } titleFailure)
        {
            LogFailure(keyId, titleFailure);
            job.Advance(0, 1, null, 0);
        }
        string? cursor = job.Cursor;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (chat.GetThread(threadId) is not { Deleted: false } thread)
            {
                log.Info("DEK rotation stopped: the thread was deleted", LogField.Text("job", job.Id), LogField.Text("key_id", keyId));
                return;
            }
            Page<string> page;
            try
            {
                page = chat.ListMessageKeys(thread, new PageRequest { Limit = BatchSize, Before = cursor });
            }
            catch (ChatKeyNotFoundException e) when (e.Kind == ChatKeyKind.PageAnchor)
            {
                // The cursor message was deleted since; start over from the newest (done items are skipped cheaply).
                cursor = null;
                job.Restart(chat.GetThread(threadId)?.LiveMessages ?? 0);
                continue;
            }
            catch (ChatKeyNotFoundException e) when (e.Kind == ChatKeyKind.Thread)
            {
                return;
            }
            if (page.Items.Count == 0 && page.BeforeCursor is null)
            {
                return;
            }

            IReadOnlyList<ResealFailure> failures = await chat.ResealMessagesAsync(threadId, page.Items, target, cancellationToken).ConfigureAwait(false);
            foreach (ResealFailure failure in failures)
            {
                LogFailure(keyId, failure);
            }
            cursor = page.BeforeCursor ?? page.Items[0]; // a page that stopped at a run of deleted messages says where to go on
            job.Advance(page.Items.Count, failures.Count, cursor, page.Total);
            await job.BatchDoneAsync(cancellationToken).ConfigureAwait(false);
            if (!page.HasBefore)
            {
                return;
            }
        }
    }

    private void LogFailure(string keyId, ResealFailure failure)
    {
        if (failure.MessageKey is null)
        {
            log.Warn("DEK rotation cannot read the thread title; left as it is", LogField.Text("key_id", keyId), LogField.Text("reason", failure.Reason));
            return;
        }
        log.Warn("DEK rotation cannot read a stored body; left as it is",
            LogField.Text("key_id", keyId), LogField.Text("message", failure.MessageKey),
            LogField.Number("version", failure.Version), LogField.Text("reason", failure.Reason));
    }
}
