// Storage load driver. Usage:
//   Prg.StorageLoad [--dir DIR] [--seconds S] [--threads T] [--messages M] [--readers R]
// Phases: (1) single-record DurableKv commits with 1, 8, 64 concurrent writers in fsync mode
// (commits/s, fsyncs/s, scaling vs 1 writer); (2) 64-writer ChatStore message posts, fsync mode;
// (3) load M messages of 200 bytes into T threads; (4) point reads/s and page reads/s (limit 50)
// with R reader tasks; (5) recovery of a crash image (checkpoint + WAL tail); peak RSS throughout.
using System.Diagnostics;
using System.Text;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

string root = Arg("--dir", Path.Combine(Path.GetTempPath(), "prg-storage-load-" + Environment.ProcessId));
double seconds = double.Parse(Arg("--seconds", "3"), System.Globalization.CultureInfo.InvariantCulture);
int threadCount = int.Parse(Arg("--threads", "1000"));
int messageCount = int.Parse(Arg("--messages", "100000"));
int readers = int.Parse(Arg("--readers", "2"));
if (Directory.Exists(root))
{
    Directory.Delete(root, recursive: true);
}

Directory.CreateDirectory(root);
byte[] body = new byte[200];
Random.Shared.NextBytes(body);
Console.WriteLine($"storage load: dir={root} seconds/phase={seconds} threads={threadCount} messages={messageCount} readers={readers} cores={Environment.ProcessorCount}");

// (1) Raw single-record durable commits.
double oneWriterRate = 0;
foreach (int writers in new[] { 1, 8, 64 })
{
    string dir = Path.Combine(root, $"kv-{writers}");
    await using var kv = DurableKv.Open(new DurableKvOptions { Directory = dir });
    long fsyncs0 = kv.Fsyncs;
    long commits = 0;
    var clock = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var batch = new WriteBatch();
        byte[] value = new byte[200];
        long i = 0;
        while (clock.Elapsed < deadline)
        {
            batch.Clear();
            batch.Put(Encoding.UTF8.GetBytes($"w{w}:{i++}"), value);
            await kv.CommitAsync(batch);
            Interlocked.Increment(ref commits);
        }
    })));
    double elapsed = clock.Elapsed.TotalSeconds;
    double rate = commits / elapsed;
    if (writers == 1)
    {
        oneWriterRate = rate;
    }

    Console.WriteLine($"durable single-record commits, {writers,2} writers: {rate,10:N0} commits/s  {(kv.Fsyncs - fsyncs0) / elapsed,8:N0} fsyncs/s  {commits / (double)Math.Max(1, kv.Fsyncs - fsyncs0),6:N1} commits/fsync  scaling x{rate / oneWriterRate:N1}");
}

// (2) + (3) ChatStore: durable message posts from 64 writers, then the bulk load.
string chatDir = Path.Combine(root, "chat");
var chatOptions = new ChatStoreOptions { Kv = new DurableKvOptions { Directory = chatDir } };
var store = ChatStore.Open(chatOptions);
string[] threadIds = new string[threadCount];
for (int t = 0; t < threadCount; t++)
{
    threadIds[t] = store.NewThreadId();
    await store.CreateThreadAsync(threadIds[t], $"user{t % 100}", new byte[40], new byte[120], t + 1);
}
{
    long posts = 0;
    long fsyncs0 = store.Kv.Fsyncs;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
    {
        var rng = new Random(w);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            string t = threadIds[rng.Next(threadCount)];
            MessageSlot slot = store.ReserveMessage(t, DateTime.UtcNow.Ticks);
            await store.CreateMessageAsync(slot, "writer", body);
            Interlocked.Increment(ref posts);
        }
    })));
    double elapsed = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"durable message posts (ChatStore), 64 writers: {posts / elapsed,10:N0} msgs/s  {(store.Kv.Fsyncs - fsyncs0) / elapsed,8:N0} fsyncs/s");
}
{
    long loaded = store.GetStats().LiveMessages;
    var clock = Stopwatch.StartNew();
    long peakDuringLoad = 0;
    await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
    {
        var rng = new Random(1000 + w);
        while (Interlocked.Increment(ref loaded) <= messageCount)
        {
            string t = threadIds[rng.Next(threadCount)];
            MessageSlot slot = store.ReserveMessage(t, DateTime.UtcNow.Ticks);
            await store.CreateMessageAsync(slot, "loader", body);
            if ((loaded & 0x3FFF) == 0)
            {
                Interlocked.Exchange(ref peakDuringLoad, Math.Max(Interlocked.Read(ref peakDuringLoad), Environment.WorkingSet));
            }
        }
    })));
    Console.WriteLine($"loaded to {store.GetStats().LiveMessages:N0} messages in {threadCount:N0} threads in {clock.Elapsed.TotalSeconds:N1} s; working set during load up to {peakDuringLoad / (1 << 20):N0} MB; hybrid log {store.Kv.HybridLogBytes / (1 << 20):N0} MB");
}

// (4) Reads.
{
    var keys = threadIds.Take(Math.Min(threadCount, 200))
        .SelectMany(t => store.ListMessageKeys(t, new PageRequest { Limit = 100 }).Items.Select(k => (t, k)))
        .ToArray();
    long reads = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(() =>
    {
        var rng = new Random(r);
        long local = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var (t, k) = keys[rng.Next(keys.Length)];
            if (store.GetMessage(t, k) is null)
            {
                throw new InvalidOperationException("missing message");
            }

            local++;
        }
        Interlocked.Add(ref reads, local);
    })));
    Console.WriteLine($"point reads (GetMessage), {readers} readers: {reads / clock.Elapsed.TotalSeconds,10:N0} reads/s");

    long pages = 0;
    clock.Restart();
    await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(() =>
    {
        var rng = new Random(r);
        long local = 0;
        var request = new PageRequest { Limit = 50 };
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            store.ListMessages(threadIds[rng.Next(threadCount)], request);
            local++;
        }
        Interlocked.Add(ref pages, local);
    })));
    Console.WriteLine($"page reads (ListMessages limit 50), {readers} readers: {pages / clock.Elapsed.TotalSeconds,10:N0} pages/s");
}

// (5) Recovery from a crash image: checkpoint, write a WAL tail, copy the live directory.
{
    await store.Kv.CheckpointAsync();
    int tail = Math.Max(1000, messageCount / 10);
    for (int i = 0; i < tail; i += 64)
    {
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async w =>
        {
            MessageSlot slot = store.ReserveMessage(threadIds[(i + w) % threadCount], DateTime.UtcNow.Ticks);
            await store.CreateMessageAsync(slot, "tail", body);
        }));
    }
    long walTail = store.Kv.WalBytesSinceCheckpoint;
    string crashDir = Path.Combine(root, "crash-image");
    CopyTree(chatDir, crashDir);
    await store.DisposeAsync();
    var clock = Stopwatch.StartNew();
    await using var recovered = ChatStore.Open(new ChatStoreOptions { Kv = new DurableKvOptions { Directory = crashDir } });
    Console.WriteLine($"recovery of crash image: {clock.Elapsed.TotalMilliseconds:N0} ms total open, {recovered.Kv.LastRecoveryTime.TotalMilliseconds:N0} ms recovery, {recovered.Kv.LastRecoveryReplayCount:N0} WAL records ({walTail / (1 << 20):N1} MB) replayed, {recovered.GetStats().LiveMessages:N0} messages");
}
Console.WriteLine($"peak RSS: {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20):N0} MB");
Directory.Delete(root, recursive: true);
return 0;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static void CopyTree(string from, string to)
{
    foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
    {
        Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
    }

    Directory.CreateDirectory(to);
    foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
    {
        try
        {
            using var src = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var dst = new FileStream(file.Replace(from, to, StringComparison.Ordinal), FileMode.Create);
            src.CopyTo(dst);
        }
        catch (FileNotFoundException)
        {
            // Superseded commit records vanish while copying; the newer one is copied.
        }
    }
}
