// A page's prefetch hints: the created-order walk hints exactly the live messages it is about to
// visit (in visit order, at most the page size), so the hints never cost more lookups than the page.
using Prg.Storage.Chat;
using Prg.Storage.Chat.Lists;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class PagePrefetchTests
{
    [Fact]
    public async Task The_created_order_walk_hints_the_live_messages_it_visits_in_order_up_to_the_page_size()
    {
        using var dir = new TempDirectory();
        await using var store = Open(dir.Path);
        string t = store.NewThreadId();
        await store.CreateThreadAsync(t, "alice", B("x"), B("k"), 1);
        var keys = new List<string>();
        for (int i = 1; i <= 140; i++) // three index chunks
        {
            keys.Add((await PostAsync(store, t, "alice", $"m{i}", 1000 + i)).Key);
        }

        foreach (int seq in new[] { 140, 130, 100, 64, 63 })
        {
            Assert.True(await store.DeleteMessageAsync(t, keys[seq - 1], 5000));
        }

        (List<string> hinted, Page<string> page) = Walk(store, t, new PageRequest { Limit = 50 });
        Assert.Equal(50, page.Items.Count);
        Assert.Equal(page.Items.AsEnumerable().Reverse(), hinted); // newest first: the walk's order

        (hinted, page) = Walk(store, t, new PageRequest { Limit = 50, After = keys[60] });
        Assert.Equal(50, page.Items.Count);
        Assert.Equal(page.Items, hinted);
        Assert.DoesNotContain(keys[62], hinted);
        Assert.DoesNotContain(keys[63], hinted);
    }

    private static (List<string> Hinted, Page<string> Page) Walk(ChatStore store, string t, PageRequest request)
    {
        var hinted = new List<string>();
        var index = new CreatedIndex<string>(new ChatTx(store.Kv), t, store.GetThread(t)!.MessageSeqHighWater, chunkBudget: 10,
            load: id => id, sizeOf: id => id.Length, prefetch: (ts, seqs) =>
            {
                for (int i = 0; i < seqs.Length; i++)
                {
                    hinted.Add(KeySpace.MessageKey(ts[i], seqs[i]));
                }
            }, prefetchCount: request.Limit);
        return (hinted, Pager.Page(index, request, newestFirst: false, total: 0));
    }
}
