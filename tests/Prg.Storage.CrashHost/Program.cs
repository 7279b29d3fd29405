// Crash-test writer: posts messages from 16 concurrent writers (and raw 3-key DurableKv batches),
// printing "ACK ..." only after each write is acknowledged durable. The test kills it with SIGKILL at a
// random moment, reopens the directory and checks every acknowledged write and that nothing is partial.
using System.Text;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Prg.Storage.CrashHost <data-dir>");
    return 2;
}

const int Writers = 16;
var options = new ChatStoreOptions
{
    Kv = new DurableKvOptions
    {
        Directory = args[0],
        // Frequent checkpoints so kills also land during checkpoints and WAL truncation.
        CheckpointLogBytes = 256 << 10,
        MaintenanceTick = TimeSpan.FromMilliseconds(20),
        MemorySizeBits = 22,
        PageSizeBits = 18,
        SegmentSizeBits = 22,
        IndexSizeBits = 16,
        WalMemorySizeBits = 20,
        WalPageSizeBits = 18,
        WalSegmentSizeBits = 22,
    },
    LockStripes = 64,
};
var store = ChatStore.Open(options);
var output = Console.Out;
var outputLock = new object();
void Ack(string line)
{
    lock (outputLock)
    {
        output.WriteLine(line);
        output.Flush();
    }
}

Ack("READY");
var tasks = new List<Task>();
for (int w = 0; w < Writers; w++)
{
    string threadId = $"crash:{w}";
    tasks.Add(Task.Run(async () =>
    {
        if (store.GetThread(threadId) is null)
        {
            await store.CreateThreadAsync(threadId, $"user:{threadId}", Encoding.UTF8.GetBytes("t"), [], 1);
        }

        long ts = DateTime.UtcNow.Ticks;
        while (true)
        {
            MessageSlot slot = store.ReserveMessage(threadId, ts++);
            MessageRecord? m = await store.CreateMessageAsync(slot, $"user:{threadId}", Encoding.UTF8.GetBytes($"{threadId}/{slot.Seq}"));
            if (m is null)
            {
                throw new InvalidOperationException("thread vanished");
            }

            Ack($"ACK {threadId} {m.Key}");
        }
    }));
}
tasks.Add(Task.Run(async () =>
{
    // Raw multi-key batches: x, y and z always carry the same value.
    byte[] counterKey = Encoding.UTF8.GetBytes("crash-kv:counter");
    long i = store.Kv.TryGet(counterKey, out byte[] c) ? long.Parse(Encoding.UTF8.GetString(c)) : 0;
    var batch = new WriteBatch();
    while (true)
    {
        i++;
        byte[] value = Encoding.UTF8.GetBytes(i.ToString());
        batch.Clear();
        batch.Put(Encoding.UTF8.GetBytes("crash-kv:x"), value);
        batch.Put(Encoding.UTF8.GetBytes("crash-kv:y"), value);
        batch.Put(Encoding.UTF8.GetBytes("crash-kv:z"), value);
        batch.Put(counterKey, value);
        await store.Kv.CommitAsync(batch);
        Ack($"KV {i}");
    }
}));
await Task.WhenAny(tasks);
foreach (Task t in tasks.Where(t => t.IsFaulted))
{
    Console.Error.WriteLine(t.Exception);
}

return 1;
