// A page's 50 storage lookups (ChatStore.ListMessages, limit 50, plaintext 200-byte bodies) as the
// server meets them: the same page again and again, but after a syscall (every request passes through
// recv/send/epoll, and on this VM each kernel entry flushes the TLB: page-table isolation without PCID),
// next to the same page with nothing in between. Used for the lookup prefetch (LookupPrefetch).
using BenchmarkDotNet.Attributes;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Benchmarks.Storage;

[MemoryDiagnoser]
public class PageLookupBenchmarks
{
    private const string ThreadId = "bench-lookup-thread";
    private string _dir = "";
    private ChatStore _store = null!;
    private ThreadRecord _thread = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "prg-bench-lookup-" + Guid.NewGuid().ToString("N"));
        _store = ChatStore.Open(new ChatStoreOptions { Kv = new DurableKvOptions { Directory = _dir, Durability = Durability.Relaxed } });
        await _store.CreateThreadAsync(ThreadId, "alice", new byte[48], new byte[160], 1);
        var body = new byte[200];
        for (int i = 0; i < 1000; i++)
        {
            await _store.CreateMessageAsync(_store.ReserveMessage(ThreadId, 1_700_000_000_000_000_000 + i), "alice", body);
        }

        _thread = _store.GetThread(ThreadId)!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int Page() => _store.ListMessages(_thread, new PageRequest { Limit = 50 }).Items.Count;

    [Benchmark]
    public int PageAfterSyscall()
    {
        Thread.Yield(); // sched_yield: one kernel entry and exit, as between two requests
        return Page();
    }
}
