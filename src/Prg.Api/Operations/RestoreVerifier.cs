// `prg restore --verify`: opens a restored store the way `prg serve` would (checkpoint recovery plus the
// write-ahead log up to the backup's point), checks the live counts against the manifest and, given the
// master key, decrypts each live thread's title and its newest messages with the embedded key provider.
using Prg.Api.Config;
using Prg.Api.Encryption;
using Prg.Api.Jobs;
using Prg.Crypto;
using Prg.Logging;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api.Operations;

public sealed record RestoreVerification(long Threads, long Messages, long ThreadsSampled, long RecordsDecrypted);

public static class RestoreVerifier
{
    private const int MessagesSampledPerThread = 3;
    private const int ThreadBatch = 256;

    /// <exception cref="InvalidDataException">The restored store does not match its manifest, or a record does not decrypt (one line).</exception>
    public static async Task<RestoreVerification> VerifyAsync(string dataDir, BackupManifest manifest, string? masterKeyFile, Log log)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        await using ChatStore store = Open(dataDir, log);
        StoreStats stats = store.GetStats();
        if (stats.LiveThreads != manifest.Threads || stats.LiveMessages != manifest.Messages)
        {
            throw new InvalidDataException($"the restored store holds {stats.LiveThreads} threads and {stats.LiveMessages} messages; the manifest says {manifest.Threads} and {manifest.Messages}");
        }

        if (masterKeyFile is null)
        {
            return new RestoreVerification(stats.LiveThreads, stats.LiveMessages, 0, 0);
        }

        var kms = new KmsConfig { MasterKeyFile = masterKeyFile };
        using MasterKeySetup keys = MasterKeySetup.Load(kms);
        var dekStore = new ThreadMetaDekStore(store);
        await using var provider = new EmbeddedKeyProvider(keys.CreateKeyRing(new KekStateStore(store), new JobStore(store), log), dekStore);
        var cipher = new RecordCipher(provider, dekStore);
        long sampled = 0, decrypted = 0;
        string? after = null;
        while (true)
        {
            Page<string> ids = store.ListAllThreadIds(after, ThreadBatch);
            foreach (string id in ids.Items)
            {
                ThreadRecord? thread = store.GetThread(id);
                if (thread is null || thread.Deleted)
                {
                    continue;
                }

                decrypted += await DecryptSampleAsync(cipher, store, thread);
                sampled++;
            }
            if (!ids.HasAfter || ids.Items.Count == 0)
            {
                break;
            }

            after = ids.Items[^1];
        }
        return new RestoreVerification(stats.LiveThreads, stats.LiveMessages, sampled, decrypted);
    }

    private static ChatStore Open(string dataDir, Log log)
    {
        try
        {
            return ChatStore.Open(new ChatStoreOptions
            {
                Kv = new DurableKvOptions { Directory = Path.Combine(Path.GetFullPath(dataDir), "store"), RecoveryLog = line => log.Warn(line) },
            });
        }
        catch (StoreOpenException e)
        {
            throw new InvalidDataException($"the restored store does not open: {e.Message}", e);
        }
    }

    private static async Task<int> DecryptSampleAsync(RecordCipher cipher, ChatStore store, ThreadRecord thread)
    {
        try
        {
            await cipher.OpenAsync(thread.AppData, RecordAad.ForTitle(thread.Id), thread.Title, CancellationToken.None);
            int count = 1;
            foreach (MessageRecord message in store.ListMessages(thread, new PageRequest { Limit = MessagesSampledPerThread }).Items)
            {
                await cipher.OpenAsync(thread.AppData, RecordAad.ForMessageVersion(thread.Id, message.Key, message.Version), message.Body, CancellationToken.None);
                count++;
            }
            return count;
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"thread {thread.Id} does not decrypt with this master key: {e.Message}", e);
        }
    }
}
