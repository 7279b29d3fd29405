// KEK rotation (spec/kms.md §6): installs a new master key as current, then rewraps every thread's
// DEK under it, verifying a sample decrypt per batch with a provider that holds only the new key,
// and finally records the new KEK durably and drops the old one. Resumable: rewrap is a no-op for
// a DEK already under the new KEK, and the cursor is the last thread id handled.
using System.Globalization;
using System.Security.Cryptography;
using Prg.Api.Chat;
using Prg.Api.Encryption;
using Prg.Crypto;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Jobs;

public sealed class KekRotationJob(
    IChatService chat,
    EmbeddedKeyProvider embedded,
    IKeyProvider provider,
    ThreadMetaDekStore dekStore,
    KekStateStore kekState,
    JobRunner runner,
    Log log) : IJobKind
{
    public const string KindName = "rotate-kek";
    private const int BatchSize = 100;
    private const string KeyFileParam = "key_file";
    private const string NewKekIdParam = "new_kek_id";
    private const string NewKekVersionParam = "new_kek_version";
    private const string OldKekIdParam = "old_kek_id";

    // A thread creation holds its new DEK for one durable write; far longer means something is stuck.
    private static readonly TimeSpan s_pendingCreationTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _startLock = new(1, 1);

    public string Kind => KindName;

    public string? ConflictKey(IReadOnlyDictionary<string, string> parameters) => KindName;

    /// <summary>What a rotate-kek job works from (its stored parameters).</summary>
    public readonly record struct Parameters(string KeyFile, string NewKekId, uint NewKekVersion, string OldKekId);

    public static Parameters ReadParams(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return ReadParams(record.Params, record.Id);
    }

    /// <summary>
    /// Starts rotating to <paramref name="newKey"/> (loaded from <paramref name="keyFile"/>); takes
    /// ownership of the key. The same key as the current one retries a rotation that ended with errors.
    /// </summary>
    /// <exception cref="ArgumentException">The key is already current (rotation complete) or is a previous key.</exception>
    /// <exception cref="JobConflictException">A KEK rotation is already running.</exception>
    public async ValueTask<JobRecord> StartAsync(MasterKey newKey, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        ArgumentException.ThrowIfNullOrEmpty(keyFile);
        bool owned = true;
        await _startLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (runner.ActiveJobFor(KindName) is { } running)
            {
                throw new JobConflictException(running, $"a KEK rotation is already running (job {running})");
            }
            KeyRing ring = embedded.KeyRing;
            string currentKekId = ring.CurrentKekId;
            uint currentVersion = ring.CurrentKekVersion;
            bool retry = newKey.KekId == currentKekId;
            string oldKekId;
            uint newVersion;
            if (retry)
            {
                KekRecord? recorded = kekState.Get();
                if (recorded is null || recorded.KekId != currentKekId || recorded.Complete || recorded.PreviousKekId is null)
                {
                    throw new ArgumentException($"master key {newKey.KekId} is already the current master key");
                }
                oldKekId = recorded.PreviousKekId;
                newVersion = currentVersion;
            }
            else
            {
                if (ring.Contains(newKey.KekId))
                {
                    throw new ArgumentException($"master key {newKey.KekId} is a previous master key; rotate to a new key");
                }
                if (currentVersion == uint.MaxValue)
                {
                    throw new ArgumentException("kek_version cannot grow any further");
                }
                oldKekId = currentKekId;
                newVersion = currentVersion + 1;
            }

            var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [KeyFileParam] = Path.GetFullPath(keyFile),
                [NewKekIdParam] = newKey.KekId,
                [NewKekVersionParam] = newVersion.ToString(CultureInfo.InvariantCulture),
                [OldKekIdParam] = oldKekId,
            };
            // The job is durable before the new key wraps anything: a crash from here on restarts
            // with the new key current (MasterKeySetup reads the unfinished job).
            JobContext job = await runner.CreateAsync(KindName, parameters, chat.ListAllThreadIds(null, 1).Total).ConfigureAwait(false);
            if (!retry)
            {
                try
                {
                    uint installed = embedded.RotateKek(newKey);
                    owned = false;
                    if (installed != newVersion)
                    {
                        throw new InvalidOperationException($"the key ring installed kek_version {installed}, expected {newVersion}");
                    }
                }
                catch (Exception e)
                {
                    await runner.AbandonAsync(job, e.Message).ConfigureAwait(false);
                    throw;
                }
            }
            log.Info("KEK rotation started",
                LogField.Text("job", job.Id), LogField.Text("kek_id", newKey.KekId),
                LogField.Number("kek_version", newVersion), LogField.Text("previous_kek_id", oldKekId));
            runner.Launch(job);
            return job.Snapshot();
        }
        finally
        {
            _startLock.Release();
            if (owned)
            {
                newKey.Dispose();
            }
        }
    }

    public async ValueTask RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        Parameters p = ReadParams(job.Params, job.Id);
        MasterKey verifyKey;
        try
        {
            verifyKey = MasterKey.FromFile(p.KeyFile);
        }
        catch (MasterKeyException e)
        {
            job.Fail($"cannot verify rewrapped keys: {e.Message}");
            return;
        }
        if (verifyKey.KekId != p.NewKekId)
        {
            verifyKey.Dispose();
            job.Fail($"key file '{p.KeyFile}' no longer holds master key {p.NewKekId}");
            return;
        }
        // Holds only the new key: a sample that decrypts through it proves the stored wraps work
        // without the old key.
        await using var verifier = new EmbeddedKeyProvider(new KeyRing(verifyKey, p.NewKekVersion), dekStore,
            new EmbeddedKeyProviderOptions { DekCacheCapacity = 16, AesGcmPoolSize = 1 });

        string? cursor = job.Cursor;
        bool drained = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Page<string> page;
            try
            {
                page = chat.ListAllThreadIds(cursor, BatchSize);
            }
            catch (ChatKeyNotFoundException) when (cursor is not null)
            {
                // The cursor thread was purged since; start over (done threads are no-ops).
                cursor = null;
                job.Restart(chat.ListAllThreadIds(null, 1).Total);
                continue;
            }
            if (page.Items.Count == 0)
            {
                if (drained)
                {
                    break;
                }
                // Threads being created right now may hold a DEK wrapped under the old KEK and land
                // after the cursor passed; let them land, then look past the cursor once more.
                if (!await dekStore.WaitForPendingAsync(m => !IsUnder(m, p), s_pendingCreationTimeout, cancellationToken).ConfigureAwait(false))
                {
                    job.Fail("thread creations holding keys under the old master key did not finish; run the rotation again with the same key");
                    return;
                }
                drained = true;
                continue;
            }

            long errors = 0;
            bool sampled = false;
            foreach (string threadId in page.Items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Outcome outcome = await RewrapAsync(threadId, p, sampled ? null : verifier, cancellationToken).ConfigureAwait(false);
                if (outcome == Outcome.Failed)
                {
                    errors++;
                }
                sampled |= outcome == Outcome.Rewrapped;
            }
            cursor = page.Items[^1];
            job.Advance(page.Items.Count, errors, cursor, page.Total);
            await job.BatchDoneAsync(cancellationToken).ConfigureAwait(false);
        }

        bool complete = job.Errors == 0;
        await kekState.SaveAsync(new KekRecord
        {
            KekId = p.NewKekId,
            KekVersion = p.NewKekVersion,
            KeyFile = p.KeyFile,
            PreviousKekId = p.OldKekId,
            Complete = complete,
            JobId = job.Id,
            RotatedTs = UnixNanos.Now(),
        }).ConfigureAwait(false);
        if (!complete)
        {
            job.Fail($"{job.Errors} thread keys could not be rewrapped or verified (see the log); the previous master key {p.OldKekId} is still needed; fix and post the same key again to retry");
            return;
        }
        embedded.RemovePreviousKek(p.OldKekId);
        log.Info("KEK rotation complete; the previous master key is no longer needed",
            LogField.Text("kek_id", p.NewKekId), LogField.Number("kek_version", p.NewKekVersion), LogField.Text("previous_kek_id", p.OldKekId));
    }

    private async ValueTask<Outcome> RewrapAsync(string threadId, Parameters p, EmbeddedKeyProvider? verifier, CancellationToken cancellationToken)
    {
        ThreadRecord? thread = chat.GetThread(threadId);
        if (thread is null || thread.Deleted || thread.AppData.Length == 0)
        {
            // Gone, deleted (its meta takes no more writes and retention will purge it), or never encrypted.
            return Outcome.Skipped;
        }
        string keyId = KeyIds.ForThread(threadId);
        try
        {
            await provider.RewrapDekAsync(keyId, cancellationToken).ConfigureAwait(false);
        }
        catch (UnknownKeyException e) when (e.Reason == UnknownKeyReason.KeyId)
        {
            return Outcome.Skipped; // deleted meanwhile
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.Warn("KEK rotation could not rewrap a thread key", LogField.Text("key_id", keyId), LogField.Error(e));
            return Outcome.Failed;
        }
        if (verifier is null)
        {
            return Outcome.Rewrapped;
        }

        try
        {
            ThreadRecord? after = chat.GetThread(threadId);
            if (after is null || after.Deleted)
            {
                return Outcome.Skipped;
            }
            ThreadKeyMaterial material = ThreadKeyMaterial.Parse(after.AppData);
            if (!IsUnder(material, p))
            {
                log.Warn("KEK rotation verify: a thread key is not wrapped under the new master key", LogField.Text("key_id", keyId));
                return Outcome.Failed;
            }
            byte[] title = await verifier.DecryptAsync(keyId, after.Title, RecordAad.ForTitle(threadId), cancellationToken).ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(title);
            return Outcome.Rewrapped;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.Warn("KEK rotation verify: sample decrypt under the new master key failed", LogField.Text("key_id", keyId), LogField.Error(e));
            return Outcome.Failed;
        }
    }

    private static bool IsUnder(ThreadKeyMaterial material, Parameters p)
    {
        foreach (WrappedDekVersion version in material.Versions)
        {
            if (version.KekId != p.NewKekId || version.KekVersion != p.NewKekVersion)
            {
                return false;
            }
        }
        return true;
    }

    private static Parameters ReadParams(IReadOnlyDictionary<string, string> parameters, string jobId)
    {
        string Get(string name) =>
            parameters.TryGetValue(name, out string? value) && value.Length > 0
                ? value
                : throw new InvalidDataException($"KEK rotation job {jobId} has no '{name}' parameter");
        if (!uint.TryParse(Get(NewKekVersionParam), NumberStyles.None, CultureInfo.InvariantCulture, out uint version) || version == 0)
        {
            throw new InvalidDataException($"KEK rotation job {jobId} has an invalid '{NewKekVersionParam}' parameter");
        }
        return new Parameters(Get(KeyFileParam), Get(NewKekIdParam), version, Get(OldKekIdParam));
    }

    private enum Outcome
    {
        Skipped,
        Rewrapped,
        Failed,
    }
}
