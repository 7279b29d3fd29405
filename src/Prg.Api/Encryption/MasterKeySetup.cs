// Builds the embedded KMS's key ring at start-up from the configured master keys and what the store
// records about KEK rotations.
//
// Which key is current (precedence):
// 1. An unfinished KEK rotation job: its new key (by kek_id, loaded from the job's key file unless the
//    configuration already holds it) at the job's kek_version. The configured key, which the operator
//    has usually not changed yet, becomes a previous key so the job can still unwrap old DEKs.
// 2. Else the KEK rotation record (sys "kms:kek") written when a rotation finished: that kek_id at
//    its kek_version, from the configured key if it matches, else from the recorded key file.
// 3. Else the configured key (master_key_file or master_key_hex) at kek_version 1.
// Every other configured key (the main one if it is not current, previous_master_key_files) is a
// previous key. A recorded kek_id that no available key matches refuses the start: running under
// another key would make every thread unreadable and wrap new DEKs under a key the store never knew.
using Prg.Api.Config;
using Prg.Api.Jobs;
using Prg.Crypto;
using Prg.Logging;

namespace Prg.Api.Encryption;

public sealed class MasterKeySetup : IDisposable
{
    // [0] is the configured current key; the rest are configured previous keys (and, once loaded,
    // the recorded rotated key). Owned until CreateKeyRing hands them to the ring.
    private readonly List<MasterKey> _keys;

    private MasterKeySetup(List<MasterKey> keys)
    {
        _keys = keys;
    }

    /// <summary>kek_id of the configured master key.</summary>
    public string ConfiguredKekId => _keys[0].KekId;

    /// <summary>Loads the configured keys; each problem is a <see cref="StartupException"/> with one clear line.</summary>
    public static MasterKeySetup Load(KmsConfig kms)
    {
        ArgumentNullException.ThrowIfNull(kms);
        var keys = new List<MasterKey>();
        try
        {
            if (!string.IsNullOrEmpty(kms.MasterKeyFile))
            {
                keys.Add(MasterKey.FromFile(kms.MasterKeyFile));
            }
            else if (!string.IsNullOrEmpty(kms.MasterKeyHex))
            {
                keys.Add(MasterKey.FromHex(kms.MasterKeyHex, "encryption.kms.master_key_hex"));
            }
            else if (!string.IsNullOrEmpty(kms.MasterKeyCredential))
            {
                keys.Add(MasterKey.FromCredential(kms.MasterKeyCredential));
            }
            else if (kms.MasterKeyFd is int fd)
            {
                keys.Add(MasterKey.FromFileDescriptor(fd));
            }
            else
            {
                throw new StartupException("encryption is enabled but no master key is configured (encryption.kms.master_key_file, master_key_hex, master_key_credential or --master-key-fd)");
            }
            foreach (string previous in kms.PreviousMasterKeyFiles)
            {
                keys.Add(MasterKey.FromFile(previous));
            }
            return new MasterKeySetup(keys);
        }
        catch (Exception e)
        {
            foreach (MasterKey key in keys)
            {
                key.Dispose();
            }
            if (e is MasterKeyException)
            {
                throw new StartupException(e.Message);
            }
            throw;
        }
    }

    /// <summary>
    /// The key ring to run with (see the file header for the precedence). The ring owns the keys
    /// from then on; this object holds none afterwards.
    /// </summary>
    /// <exception cref="StartupException">The store's current KEK is not available.</exception>
    public KeyRing CreateKeyRing(KekStateStore kekState, JobStore jobs, Log log)
    {
        ArgumentNullException.ThrowIfNull(kekState);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(log);
        ObjectDisposedException.ThrowIf(_keys.Count == 0, this);
        // Unwrapped DEKs live in locked, non-dumpable pages; if the memory-lock limit forbids it, say so and go on.
        if (KeyMemory.Shared.IsLocked)
        {
            log.Info(KeyMemory.Shared.Status);
        }
        else
        {
            log.Warn(KeyMemory.Shared.Status);
        }

        JobRecord? rotation = null;
        KekRecord? recorded;
        try
        {
            foreach (JobRecord record in jobs.ActiveRecords())
            {
                if (record.Kind == KekRotationJob.KindName)
                {
                    rotation = record;
                    break;
                }
            }
            recorded = kekState.Get();
        }
        catch (InvalidDataException e)
        {
            throw new StartupException($"cannot read the store's master key state: {e.Message}");
        }

        string targetKekId;
        uint targetVersion;
        string? keyFile;
        string source;
        if (rotation is not null)
        {
            KekRotationJob.Parameters parameters;
            try
            {
                parameters = KekRotationJob.ReadParams(rotation);
            }
            catch (InvalidDataException e)
            {
                throw new StartupException($"cannot read the unfinished KEK rotation: {e.Message}");
            }
            (targetKekId, targetVersion, keyFile) = (parameters.NewKekId, parameters.NewKekVersion, parameters.KeyFile);
            source = $"unfinished KEK rotation job {rotation.Id}";
        }
        else if (recorded is not null)
        {
            (targetKekId, targetVersion, keyFile) = (recorded.KekId, recorded.KekVersion, recorded.KeyFile);
            source = "the store's KEK rotation record";
        }
        else
        {
            return Hand(_keys[0], 1);
        }

        MasterKey? current = _keys.Find(k => k.KekId == targetKekId);
        if (current is null && keyFile is not null)
        {
            MasterKey loaded;
            try
            {
                loaded = MasterKey.FromFile(keyFile);
            }
            catch (MasterKeyException e)
            {
                throw new StartupException(
                    $"the store's current master key is kek_id {targetKekId} ({source}) and it is not configured; its recorded key file cannot be used: {e.Message}");
            }
            if (loaded.KekId != targetKekId)
            {
                string found = loaded.KekId;
                loaded.Dispose();
                throw new StartupException(
                    $"the store's current master key is kek_id {targetKekId} ({source}) but its recorded key file '{keyFile}' now holds kek_id {found}; configure the key with kek_id {targetKekId}");
            }
            _keys.Add(loaded);
            current = loaded;
        }
        if (current is null)
        {
            throw new StartupException(
                $"the store's current master key is kek_id {targetKekId} (kek_version {targetVersion}, {source}) but the configured master key is kek_id {ConfiguredKekId}; configure the key with kek_id {targetKekId} as encryption.kms.master_key_file");
        }

        bool configuredIsCurrent = ReferenceEquals(current, _keys[0]);
        string configuredKekId = ConfiguredKekId;
        KeyRing ring = Hand(current, targetVersion);
        if (!configuredIsCurrent)
        {
            log.Warn("using the master key recorded by a KEK rotation instead of the configured one; point encryption.kms.master_key_file at it",
                LogField.Text("kek_id", targetKekId), LogField.Text("key_file", keyFile), LogField.Text("configured_kek_id", configuredKekId));
        }
        if (rotation is not null)
        {
            string oldKekId = KekRotationJob.ReadParams(rotation).OldKekId;
            if (!ring.Contains(oldKekId))
            {
                log.Warn("an unfinished KEK rotation needs the previous master key, which is not configured; add it to encryption.kms.previous_master_key_files",
                    LogField.Text("job", rotation.Id), LogField.Text("previous_kek_id", oldKekId));
            }
        }
        return ring;
    }

    /// <summary>
    /// The configured keys as a ring for reading only (external mode's local fallback): the key
    /// service owns KEK rotation there, so no store state applies. The ring owns the keys afterwards.
    /// </summary>
    public KeyRing CreateFallbackRing()
    {
        ObjectDisposedException.ThrowIf(_keys.Count == 0, this);
        return Hand(_keys[0], 1);
    }

    public void Dispose()
    {
        foreach (MasterKey key in _keys)
        {
            key.Dispose();
        }
        _keys.Clear();
    }

    private KeyRing Hand(MasterKey current, uint version)
    {
        var ring = new KeyRing(current, version);
        var held = new HashSet<string>(StringComparer.Ordinal) { current.KekId };
        foreach (MasterKey key in _keys)
        {
            if (ReferenceEquals(key, current))
            {
                continue;
            }
            if (held.Add(key.KekId))
            {
                ring.AddPrevious(key);
            }
            else
            {
                key.Dispose();
            }
        }
        _keys.Clear();
        return ring;
    }
}
