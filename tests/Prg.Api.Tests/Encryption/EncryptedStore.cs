// An encrypted chat store wired the way ApiHost wires it (ChatStore, thread-meta DEK store, embedded
// provider behind the counting wrapper, RecordCipher, job runner with both rotation jobs), plus the
// handlers' write paths, for in-process tests of rotation.
using System.Text;
using Prg.Api.Encryption;
using Prg.Api.Jobs;
using Prg.Api.Logging;
using Prg.Crypto;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api.Tests.Encryption;

internal sealed class EncryptedStore : IAsyncDisposable
{
    private EncryptedStore(string directory, ChatStore store, KeyRing ring, StringWriter logText)
    {
        Directory = directory;
        Store = store;
        LogText = logText;
        Log = new Log(logText, LogLevel.Debug);
        DekStore = new ThreadMetaDekStore(store);
        Embedded = new EmbeddedKeyProvider(ring, DekStore);
        Provider = new CountingKeyProvider(Embedded);
        Cipher = new RecordCipher(Provider, DekStore);
        Jobs = new JobRunner(store, Log);
        KekState = new KekStateStore(store);
        KekRotation = new KekRotationJob(store, Embedded, Provider, DekStore, KekState, Jobs, Log);
        DekRotation = new DekRotationJob(store, Provider, Jobs, Log, DekStore);
        Jobs.Register(KekRotation);
        Jobs.Register(DekRotation);
    }

    public string Directory { get; }
    public ChatStore Store { get; }
    public StringWriter LogText { get; }
    public Log Log { get; }
    public ThreadMetaDekStore DekStore { get; }
    public EmbeddedKeyProvider Embedded { get; }
    public CountingKeyProvider Provider { get; }
    public RecordCipher Cipher { get; }
    public JobRunner Jobs { get; }
    public KekStateStore KekState { get; }
    public KekRotationJob KekRotation { get; }
    public DekRotationJob DekRotation { get; }

    public static ChatStore OpenStore(string directory) => ChatStore.Open(new ChatStoreOptions
    {
        Kv = new DurableKvOptions { Directory = directory, Durability = Durability.Relaxed },
    });

    /// <summary>Opens the store and builds the key ring from <paramref name="keys"/> as ApiHost does at start-up.</summary>
    public static EncryptedStore Open(string directory, Func<MasterKeySetup> keys)
    {
        var store = OpenStore(directory);
        var logText = new StringWriter();
        using var setup = keys();
        var ring = setup.CreateKeyRing(new KekStateStore(store), new JobStore(store), new Log(logText, LogLevel.Debug));
        return new EncryptedStore(directory, store, ring, logText);
    }

    public async Task<string> CreateThreadAsync(string author, string title)
    {
        string id = Store.NewThreadId();
        try
        {
            byte[] kms = await Cipher.CreateThreadKeysAsync(id, default);
            byte[] sealedTitle = await Cipher.SealAsync(kms, RecordAad.ForTitle(id), Encoding.UTF8.GetBytes(title), default);
            await Store.CreateThreadAsync(id, author, sealedTitle, kms, Prg.Api.Handlers.UnixNanos.Now());
            return id;
        }
        finally
        {
            Cipher.Settle(id);
        }
    }

    public async Task<string> PostAsync(string threadId, string author, string body)
    {
        var thread = Store.GetThread(threadId)!;
        var slot = Store.ReserveMessage(threadId, Prg.Api.Handlers.UnixNanos.Now());
        byte[] sealedBody = await Cipher.SealAsync(thread.Kms, RecordAad.ForMessageVersion(threadId, slot.Key, 1), Encoding.UTF8.GetBytes(body), default);
        var message = await Store.CreateMessageAsync(slot, author, sealedBody);
        return message!.Key;
    }

    public async Task EditAsync(string threadId, string messageKey, string body)
    {
        var thread = Store.GetThread(threadId)!;
        var current = Store.GetMessage(threadId, messageKey)!;
        byte[] sealedBody = await Cipher.SealAsync(thread.Kms, RecordAad.ForMessageVersion(threadId, messageKey, current.Version + 1), Encoding.UTF8.GetBytes(body), default);
        var result = await Store.EditMessageAsync(threadId, messageKey, current.Version, sealedBody, Prg.Api.Handlers.UnixNanos.Now());
        Assert.Equal(EditStatus.Ok, result.Status);
    }

    public async Task<string> ReadTitleAsync(string threadId)
    {
        var thread = Store.GetThread(threadId)!;
        return Encoding.UTF8.GetString(await Cipher.OpenAsync(thread.Kms, RecordAad.ForTitle(threadId), thread.Title, default));
    }

    public async Task<string> ReadAsync(string threadId, MessageRecord version)
    {
        var thread = Store.GetThread(threadId)!;
        return Encoding.UTF8.GetString(await Cipher.OpenAsync(thread.Kms, RecordAad.ForMessageVersion(threadId, version.Key, version.Version), version.Body, default));
    }

    public async ValueTask DisposeAsync()
    {
        await Jobs.DisposeAsync();
        await Provider.DisposeAsync();
        await Store.DisposeAsync();
    }
}
