// ChatStore micro-benchmarks: posting a message (relaxed durability, so the CPU path is measured),
// reading one message and reading a page of 50.
using BenchmarkDotNet.Attributes;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Benchmarks.Storage;

[MemoryDiagnoser]
public class ChatStoreBenchmarks
{
    private const int Threads = 100;
    private const int MessagesPerThread = 500;
    private string _dir = "";
    private ChatStore _store = null!;
    private readonly List<(string Thread, string Key)> _messages = new();
    private readonly byte[] _body = new byte[200];
    private long _ts = 1;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "prg-bench-chat-" + Guid.NewGuid().ToString("N"));
        _store = ChatStore.Open(new ChatStoreOptions { Kv = new DurableKvOptions { Directory = _dir, Durability = Durability.Relaxed } });
        for (int t = 0; t < Threads; t++)
        {
            string id = $"bench-{t}";
            await _store.CreateThreadAsync(id, $"user{t % 10}", new byte[32], new byte[64], _ts++);
            for (int m = 0; m < MessagesPerThread; m++)
            {
                MessageSlot slot = _store.ReserveMessage(id, _ts++);
                await _store.CreateMessageAsync(slot, $"user{t % 10}", _body);
                _messages.Add((id, slot.Key));
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public async Task<MessageRecord?> PostMessage()
    {
        string thread = $"bench-{_next++ % Threads}";
        MessageSlot slot = _store.ReserveMessage(thread, _ts++);
        return await _store.CreateMessageAsync(slot, "user0", _body);
    }

    [Benchmark]
    public MessageRecord? GetMessage()
    {
        var (thread, key) = _messages[_next++ % _messages.Count];
        return _store.GetMessage(thread, key);
    }

    [Benchmark]
    public Page<MessageRecord> ReadPage50()
        => _store.ListMessages($"bench-{_next++ % Threads}", new PageRequest { Limit = 50 });
}
