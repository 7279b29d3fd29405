// The chat service over an encrypted ChatStore: what it returns is plaintext, what it stores is sealed
// under the thread's key and bound to the record (key and version) it was written as.
using System.Text;
using Prg.Api.Config;
using Prg.Api.Encryption;
using Prg.Api.Tests.Encryption;
using Prg.Storage.Chat;

namespace Prg.Api.Tests.Chat;

public sealed class ChatServiceTests
{
    private static EncryptedStore OpenStore(TempDirectory dir)
    {
        string keyFile = dir.Combine("master.key");
        Prg.Crypto.KeyFile.WriteNew(keyFile);
        return EncryptedStore.Open(dir.Combine("store"), () => MasterKeySetup.Load(new KmsConfig { MasterKeyFile = keyFile }));
    }

    private static PageRequest FirstPage() => new() { Limit = 50 };

    [Fact]
    public async Task PostedMessagesAreStoredSealedAndListedInPlaintext()
    {
        using var dir = new TempDirectory();
        await using var s = OpenStore(dir);
        var thread = await s.Chat.CreateThreadAsync("alice", "plans"u8.ToArray(), default);
        var posted = await s.Chat.PostMessageAsync(thread, "alice", """{"text":"hello"}"""u8.ToArray(), default);

        Assert.NotNull(posted);
        Assert.DoesNotContain("hello", Encoding.UTF8.GetString(s.Store.GetMessage(thread.Id, posted.Key)!.Body));
        Assert.DoesNotContain("plans", Encoding.UTF8.GetString(s.Store.GetThread(thread.Id)!.Title));
        using var page = await s.Chat.ListMessagesAsync(s.Chat.GetThread(thread.Id)!, FirstPage(), default);
        Assert.Equal(posted.Key, Assert.Single(page.Items).Key);
        Assert.Equal("""{"text":"hello"}""", Encoding.UTF8.GetString(page.Body(0)));
        using var threads = await s.Chat.ListThreadsAsync("alice", FirstPage(), default);
        Assert.Equal("plans", Encoding.UTF8.GetString(threads.Plaintexts[0]));
    }

    [Fact]
    public async Task AnEditIsANewVersionAndEveryVersionOpens()
    {
        using var dir = new TempDirectory();
        await using var s = OpenStore(dir);
        var thread = await s.Chat.CreateThreadAsync("alice", "t"u8.ToArray(), default);
        var posted = await s.Chat.PostMessageAsync(thread, "alice", "1"u8.ToArray(), default);

        var edited = await s.Chat.EditMessageAsync(thread, posted!.Key, "2"u8.ToArray(), default);

        Assert.Equal(EditStatus.Ok, edited.Status);
        Assert.Equal(2, edited.Message!.Version);
        using var versions = await s.Chat.ListVersionsAsync(thread, posted.Key, FirstPage(), default);
        Assert.NotNull(versions);
        var texts = Enumerable.Range(0, versions.Items.Count).Select(i => Encoding.UTF8.GetString(versions.Plaintexts[i])).Order().ToArray();
        Assert.Equal(["1", "2"], texts);
    }

    [Fact]
    public async Task PostingToADeletedThreadOrEditingADeletedMessageFindsNothing()
    {
        using var dir = new TempDirectory();
        await using var s = OpenStore(dir);
        var thread = await s.Chat.CreateThreadAsync("alice", "t"u8.ToArray(), default);
        var posted = await s.Chat.PostMessageAsync(thread, "alice", "1"u8.ToArray(), default);
        Assert.True(await s.Chat.DeleteMessageAsync(thread, posted!.Key));

        Assert.Equal(EditStatus.NotFound, (await s.Chat.EditMessageAsync(thread, posted.Key, "2"u8.ToArray(), default)).Status);
        Assert.True(await s.Chat.DeleteThreadAsync(thread));
        Assert.Null(await s.Chat.PostMessageAsync(thread, "alice", "3"u8.ToArray(), default));
    }
}
