// DEK rotation of one thread (spec/kms.md §6): a new DEK version is current for new writes at once;
// this job then re-encrypts the thread's live messages and every stored version of them under it.
// Each body is swapped with a compare-and-swap, so a body rewritten meanwhile (already under the
// new version) is left alone; reads keep working throughout because every frame names its DEK
// version. Walks newest → oldest (new writes need nothing); the cursor is the oldest key handled.
// The title is re-encrypted first, with the same compare-and-swap.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Prg.Crypto;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Jobs;

public sealed class DekRotationJob(ChatStore store, IKeyProvider provider, JobRunner runner, Log log, IDekStore dekStore) : IJobKind
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
    public string? LatestJobId(string threadId) =>
        store.GetSys(LatestJobKey(threadId)) is { } id ? Encoding.UTF8.GetString(id) : null;

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
            await store.PutSysAsync(LatestJobKey(thread.Id), Encoding.UTF8.GetBytes(job.Id)).ConfigureAwait(false);
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
        if (job.Cursor is null && !await ReencryptTitleAsync(threadId, keyId, target, cancellationToken).ConfigureAwait(false))
        {
            job.Advance(0, 1, null, 0);
        }
        string? cursor = job.Cursor;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (store.GetThread(threadId) is not { Deleted: false })
            {
                log.Info("DEK rotation stopped: the thread was deleted", LogField.Text("job", job.Id), LogField.Text("key_id", keyId));
                return;
            }
            Page<string> page;
            try
            {
                page = store.ListMessageKeys(threadId, new PageRequest { Limit = BatchSize, Before = cursor });
            }
            catch (ChatKeyNotFoundException e) when (e.Kind == ChatKeyKind.PageAnchor)
            {
                // The cursor message was deleted since; start over from the newest (done items are skipped cheaply).
                cursor = null;
                job.Restart(store.GetThread(threadId)?.LiveMessages ?? 0);
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

            long errors = await ReencryptAsync(threadId, keyId, target, page.Items, cancellationToken).ConfigureAwait(false);
            cursor = page.BeforeCursor ?? page.Items[0]; // a page that stopped at a run of deleted messages says where to go on
            job.Advance(page.Items.Count, errors, cursor, page.Total);
            await job.CheckpointAsync().ConfigureAwait(false);
            if (!page.HasBefore)
            {
                return;
            }
        }
    }

    /// <summary>Re-encrypts every body of these messages still under a DEK version older than <paramref name="target"/>; returns the errors.</summary>
    private async ValueTask<long> ReencryptAsync(string threadId, string keyId, uint target, IReadOnlyList<string> messageKeys, CancellationToken cancellationToken)
    {
        var stale = new List<MessageRecord>();
        foreach (string messageKey in messageKeys)
        {
            foreach (MessageRecord version in store.ListVersions(threadId, messageKey))
            {
                if (!DataFrame.TryReadDekVersion(version.Body, out uint dekVersion) || dekVersion < target)
                {
                    stale.Add(version);
                }
            }
        }
        if (stale.Count == 0)
        {
            return 0;
        }

        var frames = new (ReadOnlyMemory<byte> Frame, RecordAad Aad)[stale.Count];
        for (int i = 0; i < stale.Count; i++)
        {
            frames[i] = (stale[i].Body, AadOf(stale[i]));
        }
        DecryptResult[] opened = await provider.DecryptBatchAsync(keyId, frames, cancellationToken).ConfigureAwait(false);

        long errors = 0;
        var readable = new List<int>(stale.Count);
        for (int i = 0; i < opened.Length; i++)
        {
            if (opened[i].IsSuccess)
            {
                readable.Add(i);
            }
            else
            {
                errors++;
                log.Warn("DEK rotation cannot read a stored body; left as it is",
                    LogField.Text("key_id", keyId), LogField.Text("message", stale[i].Key),
                    LogField.Number("version", stale[i].Version), LogField.Text("reason", opened[i].Error!.Message));
            }
        }
        if (readable.Count == 0)
        {
            return errors;
        }

        var plaintexts = new (ReadOnlyMemory<byte> Plaintext, RecordAad Aad)[readable.Count];
        for (int i = 0; i < readable.Count; i++)
        {
            plaintexts[i] = (opened[readable[i]].Plaintext!, frames[readable[i]].Aad);
        }
        byte[][] sealedBodies;
        try
        {
            sealedBodies = await provider.EncryptBatchAsync(keyId, plaintexts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (int i in readable)
            {
                CryptographicOperations.ZeroMemory(opened[i].Plaintext);
            }
        }

        for (int i = 0; i < readable.Count; i++)
        {
            MessageRecord old = stale[readable[i]];
            // False: rewritten meanwhile (an edit or a concurrent re-encryption, already under the new
            // version) or purged; either way nothing is left to do for it.
            await store.ReplaceBodyAsync(threadId, old.Key, old.Version, old.Body, sealedBodies[i]).ConfigureAwait(false);
        }
        return errors;
    }

    /// <summary>Re-encrypts the thread's title if it is still under an older DEK version; false if it cannot be read.</summary>
    private async ValueTask<bool> ReencryptTitleAsync(string threadId, string keyId, uint target, CancellationToken cancellationToken)
    {
        if (store.GetThread(threadId) is not { Deleted: false } thread
            || (DataFrame.TryReadDekVersion(thread.Title, out uint dekVersion) && dekVersion >= target))
        {
            return true;
        }
        RecordAad aad = RecordAad.ForTitle(threadId);
        byte[] title;
        try
        {
            title = await provider.DecryptAsync(keyId, thread.Title, aad, cancellationToken).ConfigureAwait(false);
        }
        catch (CryptoException e) when (e is FrameAuthenticationException or MalformedFrameException)
        {
            log.Warn("DEK rotation cannot read the thread title; left as it is", LogField.Text("key_id", keyId), LogField.Text("reason", e.Message));
            return false;
        }
        try
        {
            byte[] sealedTitle = await provider.EncryptAsync(keyId, title, aad, cancellationToken).ConfigureAwait(false);
            // False: renamed meanwhile, so the title is already under the new version.
            await store.ReplaceTitleAsync(threadId, thread.Title, sealedTitle).ConfigureAwait(false);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(title);
        }
    }

    private static RecordAad AadOf(MessageRecord message) =>
        RecordAad.ForMessageVersion(message.ThreadId, message.Key, message.Version);
}
