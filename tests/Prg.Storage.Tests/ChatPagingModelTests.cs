// Random operation sequences against ChatStore and a plain in-memory model: every page from every
// reference position, in both sort orders, must match the model (spec/api.md §5 semantics), with
// deletions skipped, and every message keeps exactly its newest MaxVersions versions.
using Prg.Storage.Chat;
using static Prg.Storage.Tests.ChatTestUtil;

namespace Prg.Storage.Tests;

public sealed class ChatPagingModelTests
{
    private const int MaxVersions = 3;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 16; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Pages_match_the_model_after_random_operations(int seed)
    {
        using var dir = new TempDirectory();
        var rng = new Random(seed);
        var model = new Model();
        string[] users = ["alice", "bob:x", "bob"];
        long ts = 1_000;
        var store = Open(dir.Path, maxVersions: MaxVersions);
        try
        {
            for (int step = 0; step < 160; step++)
            {
                ts += rng.Next(1, 5);
                int op = rng.Next(100);
                var liveThreads = model.Threads.Values.Where(t => !t.Deleted).ToList();
                if (op < 12 || liveThreads.Count == 0)
                {
                    string user = users[rng.Next(users.Length)];
                    string id = rng.Next(4) == 0 ? $"t:{step}" : store.NewThreadId();
                    await store.CreateThreadAsync(id, user, B($"title{step}"), B("kms"), ts);
                    model.CreateThread(id, user);
                }
                else if (op < 62)
                {
                    var thread = liveThreads[rng.Next(liveThreads.Count)];
                    if (rng.Next(6) == 0)
                    {
                        // Two slots committed out of order, and sometimes one abandoned (a gap).
                        MessageSlot first = store.ReserveMessage(thread.Id, ts);
                        MessageSlot second = store.ReserveMessage(thread.Id, ts + 1);
                        Assert.Equal(first.Seq + 1, second.Seq);
                        await store.CreateMessageAsync(second, thread.Author, B("second"));
                        model.CreateMessage(thread, second.Key, second.Seq, second.Ts);
                        if (rng.Next(2) == 0)
                        {
                            await store.CreateMessageAsync(first, thread.Author, B("first"));
                            model.CreateMessage(thread, first.Key, first.Seq, first.Ts);
                        }
                    }
                    else
                    {
                        MessageRecord m = await PostAsync(store, thread.Id, thread.Author, $"m{step}", ts);
                        model.CreateMessage(thread, m.Key, m.Seq, ts);
                    }
                }
                else if (op < 74)
                {
                    var thread = liveThreads[rng.Next(liveThreads.Count)];
                    if (thread.Created.Count == 0)
                    {
                        continue;
                    }

                    string key = thread.Created[rng.Next(thread.Created.Count)];
                    int version = thread.Versions[key];
                    EditResult stale = await store.EditMessageAsync(thread.Id, key, version + 1, B("stale"), ts);
                    Assert.Equal(EditStatus.Conflict, stale.Status);
                    EditResult edit = await store.EditMessageAsync(thread.Id, key, version, B($"edit{step}"), ts);
                    Assert.Equal(EditStatus.Ok, edit.Status);
                    model.EditMessage(thread, key, ts);
                }
                else if (op < 84)
                {
                    var thread = liveThreads[rng.Next(liveThreads.Count)];
                    if (thread.Created.Count == 0)
                    {
                        continue;
                    }

                    string key = thread.Created[rng.Next(thread.Created.Count)];
                    Assert.True(await store.DeleteMessageAsync(thread.Id, key, ts));
                    Assert.False(await store.DeleteMessageAsync(thread.Id, key, ts));
                    model.DeleteMessage(thread, key);
                }
                else if (op < 92)
                {
                    var thread = liveThreads[rng.Next(liveThreads.Count)];
                    Assert.NotNull(await store.UpdateThreadAsync(thread.Id, B($"new{step}"), null, ts));
                    model.UpdateThread(thread);
                }
                else if (op < 97)
                {
                    var thread = liveThreads[rng.Next(liveThreads.Count)];
                    Assert.True(await store.DeleteThreadAsync(thread.Id, ts));
                    model.DeleteThread(thread);
                }
                else
                {
                    // Reopen: everything must come back from disk.
                    await store.DisposeAsync();
                    store = Open(dir.Path, maxVersions: MaxVersions);
                }
            }

            CheckEverything(store, model, rng);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    private static void CheckEverything(ChatStore store, Model model, Random rng)
    {
        StoreStats stats = store.GetStats();
        Assert.Equal(model.Threads.Values.Count(t => !t.Deleted), stats.LiveThreads);
        Assert.Equal(model.Threads.Values.Where(t => !t.Deleted).Sum(t => t.Created.Count), stats.LiveMessages);

        foreach (var thread in model.Threads.Values.Where(t => !t.Deleted))
        {
            foreach (SortBy sort in new[] { SortBy.CreatedTs, SortBy.UpdatedTs })
            {
                var display = sort == SortBy.CreatedTs ? thread.Created : thread.Updated;
                CheckList(display, newestAtEnd: true, rng,
                    req => { var p = store.ListMessages(thread.Id, req with { SortBy = sort }); return (p.Items.Select(m => m.Key).ToList(), p.HasBefore, p.HasAfter, p.Total); });
                var keysPage = store.ListMessageKeys(thread.Id, new PageRequest { Limit = 1000, SortBy = sort });
                Assert.Equal(display, keysPage.Items);
            }
            foreach (string key in thread.Created)
            {
                int current = thread.Versions[key];
                var kept = Enumerable.Range(Math.Max(1, current - MaxVersions + 1), Math.Min(current, MaxVersions)).ToList();
                Assert.Equal(kept, store.ListVersions(thread.Id, key).Select(v => v.Version));
                CheckList(kept.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), newestAtEnd: true, rng,
                    req => { var p = store.ListVersionPage(thread.Id, key, req)!; return (p.Items.Select(v => v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), p.HasBefore, p.HasAfter, p.Total); });
            }
        }

        foreach (var user in model.UserThreads.Keys)
        {
            foreach (SortBy sort in new[] { SortBy.CreatedTs, SortBy.UpdatedTs })
            {
                var listOrder = sort == SortBy.CreatedTs ? model.UserThreads[user] : model.UserThreadsUpdated[user];
                var display = Enumerable.Reverse(listOrder).ToList();
                CheckList(display, newestAtEnd: false, rng,
                    req => { var p = store.ListThreads(user, req with { SortBy = sort }); return (p.Items.Select(t => t.Id).ToList(), p.HasBefore, p.HasAfter, p.Total); });
                Assert.Equal(display, store.ListUserThreadIds(user, new PageRequest { Limit = 1000, SortBy = sort }).Items);
            }
        }

        var usersSeen = model.UsersInOrder;
        Assert.Equal(usersSeen, store.ListUsers(new PageRequest { Limit = 1000 }).Items);
        var all = new List<string>();
        string? after = null;
        while (true)
        {
            Page<string> batch = store.ListAllThreadIds(after, 3);
            all.AddRange(batch.Items);
            if (!batch.HasAfter)
            {
                break;
            }

            after = batch.Items[^1];
        }
        Assert.Equal(model.Registry, all);
    }

    /// <summary>Compares every reference position and mode against index arithmetic on the display list.</summary>
    private static void CheckList(
        List<string> display, bool newestAtEnd, Random rng,
        Func<PageRequest, (List<string> Items, bool HasBefore, bool HasAfter, long Total)> page)
    {
        int n = display.Count;
        foreach (int limit in new[] { 1, 2, rng.Next(3, 8), 1000 })
        {
            var none = page(new PageRequest { Limit = limit });
            int ns = newestAtEnd ? Math.Max(0, n - limit) : 0;
            int ne = newestAtEnd ? n : Math.Min(n, limit);
            AssertPage(display, ns, ne, none, "none", limit);

            for (int i = 0; i < n; i++)
            {
                string k = display[i];
                AssertPage(display, Math.Max(0, i - limit), i, page(new PageRequest { Limit = limit, Before = k }), "before " + i, limit);
                AssertPage(display, i + 1, Math.Min(n, i + 1 + limit), page(new PageRequest { Limit = limit, After = k }), "after " + i, limit);
                AssertPage(display, Math.Max(0, i - limit), Math.Min(n, i + 1 + limit), page(new PageRequest { Limit = limit, Anchor = k }), "anchor " + i, limit);
            }
        }
    }

    private static void AssertPage(List<string> display, int start, int end, (List<string> Items, bool HasBefore, bool HasAfter, long Total) actual, string what, int limit)
    {
        Assert.True(display.GetRange(start, end - start).SequenceEqual(actual.Items), $"{what} limit {limit}: expected [{string.Join(",", display.GetRange(start, end - start))}] got [{string.Join(",", actual.Items)}]");
        Assert.True(start > 0 == actual.HasBefore, $"{what} limit {limit}: HasBefore");
        Assert.True(end < display.Count == actual.HasAfter, $"{what} limit {limit}: HasAfter");
        Assert.Equal(display.Count, actual.Total);
    }

    private sealed class Model
    {
        public Dictionary<string, ThreadModel> Threads { get; } = new();
        public Dictionary<string, List<string>> UserThreads { get; } = new();
        public Dictionary<string, List<string>> UserThreadsUpdated { get; } = new();
        public List<string> UsersInOrder { get; } = new();
        public List<string> Registry { get; } = new();

        public void CreateThread(string id, string author)
        {
            Threads[id] = new ThreadModel(id, author);
            if (!UserThreads.ContainsKey(author))
            {
                UserThreads[author] = new();
                UserThreadsUpdated[author] = new();
                UsersInOrder.Add(author);
            }
            UserThreads[author].Add(id);
            UserThreadsUpdated[author].Add(id);
            Registry.Add(id);
        }

        public void UpdateThread(ThreadModel t)
        {
            UserThreadsUpdated[t.Author].Remove(t.Id);
            UserThreadsUpdated[t.Author].Add(t.Id);
        }

        public void DeleteThread(ThreadModel t)
        {
            t.Deleted = true;
            UserThreads[t.Author].Remove(t.Id);
            UserThreadsUpdated[t.Author].Remove(t.Id);
        }

        public void CreateMessage(ThreadModel t, string key, long seq, long ts)
        {
            t.Seqs[key] = seq;
            t.Versions[key] = 1;
            int at = t.Created.FindIndex(k => t.Seqs[k] > seq);
            t.Created.Insert(at < 0 ? t.Created.Count : at, key);
            PlaceByUpdated(t, key, ts);
        }

        public void EditMessage(ThreadModel t, string key, long ts)
        {
            t.Versions[key]++;
            t.Updated.Remove(key);
            PlaceByUpdated(t, key, ts);
        }

        // The updated-order list is sorted by updated_ts; equal timestamps keep commit order.
        private static void PlaceByUpdated(ThreadModel t, string key, long ts)
        {
            t.UpdatedTs[key] = ts;
            int at = t.Updated.FindIndex(k => t.UpdatedTs[k] > ts);
            t.Updated.Insert(at < 0 ? t.Updated.Count : at, key);
        }

        public void DeleteMessage(ThreadModel t, string key)
        {
            t.Created.Remove(key);
            t.Updated.Remove(key);
        }
    }

    private sealed class ThreadModel(string id, string author)
    {
        public string Id { get; } = id;
        public string Author { get; } = author;
        public bool Deleted { get; set; }
        public List<string> Created { get; } = new();
        public List<string> Updated { get; } = new();
        public Dictionary<string, long> Seqs { get; } = new();
        public Dictionary<string, int> Versions { get; } = new();
        public Dictionary<string, long> UpdatedTs { get; } = new();
    }
}
