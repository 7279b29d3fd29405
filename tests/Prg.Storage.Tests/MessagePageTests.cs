// The pooled page a GET of messages reads into: the same messages as the record listing, its bodies
// cleared when it is returned (a plaintext store's bodies must not linger) and its memory capped.
using Prg.Storage.Chat;
using Prg.Storage.Engine;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class MessagePageTests
{
    [Fact]
    public async Task A_pooled_page_holds_the_listed_messages_and_a_returned_page_holds_no_body()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, Durability.Relaxed);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        for (int i = 0; i < 30; i++)
        {
            await PostAsync(store, "t", i % 3 == 0 ? "bob" : "alice", $"{{\"text\":\"zoë {i} 😀\"}}", 10 + i);
        }

        ThreadRecord thread = store.GetThread("t")!;
        var request = new PageRequest { Limit = 20 };
        Page<MessageRecord> records = store.ListMessages(thread, request);
        MessagePage page = store.ReadMessagePage(thread, request);

        Assert.Equal(records.Items.Select(m => (m.Key, m.Author, m.Version, m.CreatedTs, S(m.Body))),
            page.Items.Select(r => (r.Key, r.Author, r.Version, r.CreatedTs, S(page.Body(r).ToArray()))));
        Assert.Equal((records.HasBefore, records.HasAfter, records.Total), (page.Page.HasBefore, page.Page.HasAfter, page.Page.Total));
        MessageRow first = page.Items[0];

        page.Dispose();

        Assert.Empty(page.Items);
        Assert.True(page.Arena.IndexOfAnyExcept((byte)0) < 0, "a returned page's arena still holds body bytes");
        Assert.Equal(("", ""), (first.Key, first.Author));
    }

    [Fact]
    public async Task A_page_grown_past_the_caps_lets_its_arrays_go_when_returned()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path, Durability.Relaxed);
        await store.CreateThreadAsync("t", "alice", B("x"), B("k"), 1);
        string body = "\"" + new string('x', 1200) + "\"";
        for (int i = 0; i < 300; i++)
        {
            await PostAsync(store, "t", "alice", body, 10 + i);
        }

        MessagePage page = store.ReadMessagePage(store.GetThread("t")!, new PageRequest { Limit = 300 });
        Assert.Equal(300, page.Items.Count);
        Assert.True(page.Arena.Length > MessagePage.MaxPooledBodyBytes);
        Assert.True(page.PooledRows > MessagePage.MaxPooledRows);

        page.Dispose();

        Assert.Equal(0, page.Arena.Length);
        Assert.Equal(MessagePage.MaxPooledRows, page.PooledRows);
    }
}
