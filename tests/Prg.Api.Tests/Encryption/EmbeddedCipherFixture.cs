// What the RecordCipher tests share: an embedded key provider over an in-memory DEK store with a fresh
// master key, the cipher over it, and threads whose keys are created and stored.
using Prg.Api.Encryption;
using Prg.Crypto;

namespace Prg.Api.Tests.Encryption;

public abstract class EmbeddedCipherFixture : IAsyncLifetime
{
    private protected MemoryDekStore DekStore { get; } = new();

    protected EmbeddedKeyProvider Provider { get; private set; } = null!;

    protected RecordCipher Cipher { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Provider = new EmbeddedKeyProvider(new KeyRing(MasterKey.Generate()), DekStore);
        Cipher = new RecordCipher(WrapProvider(Provider));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Provider.DisposeAsync();

    /// <summary>The provider the cipher uses: the embedded one itself unless a test class wraps it.</summary>
    protected virtual IKeyProvider WrapProvider(EmbeddedKeyProvider provider) => provider;

    /// <summary>Creates a thread's keys and stores them, as creating a thread does.</summary>
    protected async Task<byte[]> NewThreadAsync(string threadId)
    {
        byte[] kms = await Cipher.CreateThreadKeysAsync(threadId, default);
        DekStore.Put(kms);
        return kms;
    }
}
