// SIGKILL crash rounds against a real child process writing under load: after each kill and restart,
// every acknowledged write is present and no change is half applied.
using System.Diagnostics;
using System.Text;
using Prg.Storage.Chat;
using Xunit.Abstractions;

namespace Prg.Storage.Tests;

public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Rounds = 10;

    [Fact]
    public async Task Every_acknowledged_write_survives_repeated_sigkill_and_nothing_is_partial()
    {
        using var dir = new TempDirectory();
        string data = dir.Combine("data");
        var rng = new Random(Environment.TickCount);
        var acked = new Dictionary<string, HashSet<string>>();
        long ackedKv = 0;

        for (int round = 0; round < Rounds; round++)
        {
            int killAfter = rng.Next(20, 600);
            (List<string> lines, string stderr) = await RunAndKillAsync(data, killAfter);
            Assert.True(lines.Count > 0 && lines[0] == "READY", $"round {round}: host did not start: {stderr}");
            foreach (string line in lines.Skip(1))
            {
                string[] parts = line.Split(' ');
                if (parts[0] == "ACK" && parts.Length == 3)
                {
                    if (!acked.TryGetValue(parts[1], out var set))
                    {
                        acked[parts[1]] = set = new HashSet<string>();
                    }

                    set.Add(parts[2]);
                }
                else if (parts[0] == "KV" && parts.Length == 2)
                {
                    ackedKv = Math.Max(ackedKv, long.Parse(parts[1]));
                }
            }

            await using var store = ChatTestUtil.Open(data);
            Verify(store, acked, ackedKv, round);
            output.WriteLine($"round {round}: killed after {lines.Count - 1} acks, replayed {store.Kv.LastRecoveryReplayCount} WAL records in {store.Kv.LastRecoveryTime.TotalMilliseconds:F0} ms");
        }
    }

    private static void Verify(ChatStore store, Dictionary<string, HashSet<string>> acked, long ackedKv, int round)
    {
        long liveMessages = 0;
        foreach ((string threadId, HashSet<string> keys) in acked)
        {
            ThreadRecord thread = store.GetThread(threadId) ?? throw new Xunit.Sdk.XunitException($"round {round}: thread {threadId} lost");
            var listed = store.ListMessages(threadId, new PageRequest { Limit = 100_000 });
            // Every acknowledged message is present with its own body.
            foreach (string key in keys)
            {
                MessageRecord m = store.GetMessage(threadId, key) ?? throw new Xunit.Sdk.XunitException($"round {round}: acknowledged {threadId}/{key} lost");
                Assert.Equal($"{threadId}/{m.Seq}", Encoding.UTF8.GetString(m.Body));
            }
            // Nothing partial: list, counters, high-water mark and created-order index agree exactly.
            Assert.Equal(thread.LiveMessages, listed.Total);
            Assert.Equal(thread.LiveMessages, listed.Items.Count);
            Assert.Equal(Enumerable.Range(1, listed.Items.Count).Select(i => (long)i), listed.Items.Select(m => m.Seq));
            Assert.Equal(thread.MessageSeqHighWater, listed.Items.Count);
            foreach (MessageRecord m in listed.Items)
            {
                Assert.True(store.Kv.ContainsKey(Encoding.UTF8.GetBytes(KeySpace.IndexChunk(threadId, m.Seq / 64))));
            }

            liveMessages += thread.LiveMessages;
        }
        // Threads created by the host but never acknowledged may exist too; stats must cover all of them.
        Page<string> all = store.ListAllThreadIds(null, 100);
        long allMessages = all.Items.Sum(t => store.GetThread(t)!.LiveMessages);
        Assert.True(allMessages >= liveMessages);
        Assert.Equal(new StoreStats(all.Items.Count, allMessages), store.GetStats());

        string? Get(string key) => store.Kv.TryGet(Encoding.UTF8.GetBytes(key), out byte[] v) ? Encoding.UTF8.GetString(v) : null;
        string? counter = Get("crash-kv:counter");
        if (ackedKv > 0)
        {
            Assert.True(counter is not null && long.Parse(counter) >= ackedKv, $"round {round}: acknowledged kv batch {ackedKv} lost (found {counter})");
        }

        Assert.Equal(counter, Get("crash-kv:x"));
        Assert.Equal(counter, Get("crash-kv:y"));
        Assert.Equal(counter, Get("crash-kv:z"));
    }

    private static async Task<(List<string> Lines, string Stderr)> RunAndKillAsync(string dataDir, int killAfterAcks)
    {
        string hostDll = Path.Combine(
            AppContext.BaseDirectory.Replace("Prg.Storage.Tests", "Prg.Storage.CrashHost", StringComparison.Ordinal),
            "Prg.Storage.CrashHost.dll");
        Assert.True(File.Exists(hostDll), $"crash host not built at {hostDll}");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(hostDll);
        psi.ArgumentList.Add(dataDir);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the crash host");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (lines.Count <= killAfterAcks && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
            }
        }
        catch (OperationCanceledException)
        {
            // Timed out waiting for acks: kill anyway; the assertions report what happened.
        }
        process.Kill(); // SIGKILL: no flush, no checkpoint, no dispose.
        await process.WaitForExitAsync();
        // Acks already written to the pipe before the kill still count: they were acknowledged.
        while (await process.StandardOutput.ReadLineAsync() is { } rest)
        {
            lines.Add(rest);
        }

        return (lines, await stderr);
    }
}
