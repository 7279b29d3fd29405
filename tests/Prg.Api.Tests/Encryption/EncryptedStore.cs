// An encrypted chat store wired the way ApiHost wires it (ChatStore, thread-meta DEK store, embedded
// provider behind the counting wrapper, RecordCipher, job runner with both rotation jobs), plus the
// chat service over them, for in-process tests of rotation.
using System.Text;
using Prg.Api.Chat;
using Prg.Api.Encryption;
using Prg.Api.Jobs;
using Prg.Crypto;
using Prg.Logging;
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
        Chat = new ChatService(store, Cipher);
        Jobs = new JobRunner(store, Log);
        KekState = new KekStateStore(store);
        KekRotation = new KekRotationJob(Chat, Embedded, Provider, DekStore, KekState, Jobs, Log);
        DekRotation = new DekRotationJob(Chat, Provider, Jobs, Log, DekStore);
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
    public ChatService Chat { get; }
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

    public async Task<string> CreateThreadAsync(string author, string title) =>
        (await Chat.CreateThreadAsync(author, Encoding.UTF8.GetBytes(title), default)).Id;

    public async Task<string> PostAsync(string threadId, string author, string body) =>
        (await Chat.PostMessageAsync(Store.GetThread(threadId)!, author, Encoding.UTF8.GetBytes(body), default))!.Key;

    public async Task EditAsync(string threadId, string messageKey, string body)
    {
        var result = await Chat.EditMessageAsync(Store.GetThread(threadId)!, messageKey, Encoding.UTF8.GetBytes(body), default);
        Assert.Equal(EditStatus.Ok, result.Status);
    }

    public async Task<string> ReadTitleAsync(string threadId) =>
        Encoding.UTF8.GetString(await Chat.OpenTitleAsync(Store.GetThread(threadId)!, default));

    public async Task<string> ReadAsync(string threadId, MessageRecord version) =>
        Encoding.UTF8.GetString(await Chat.OpenBodyAsync(Store.GetThread(threadId)!, version, default));

    public async ValueTask DisposeAsync()
    {
        await Jobs.DisposeAsync();
        await Provider.DisposeAsync();
        await Store.DisposeAsync();
    }
}
