// Durability over the wire: 16 concurrent writers post messages to the real binary, which is killed
// with SIGKILL at a random moment, ten times; after every restart each acknowledged (201) message is
// read back with its own body.
using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class DurableAckKillTests
{
    private const int Writers = 16;
    private const int Rounds = 10;

    [Fact]
    public async Task EveryAcknowledgedPostSurvivesRepeatedSigkillWithSixteenWriters()
    {
        var work = PrgProcess.NewDirectory();
        var rng = new Random(Environment.TickCount);
        var acked = new ConcurrentDictionary<(string Thread, string Key), string>();
        var threads = new List<string>();
        PrgProcess prg = await PrgProcess.StartAsync(workDir: work);
        try
        {
            using (var api = new ApiClient(prg.Port))
            {
                for (int w = 0; w < Writers; w++)
                {
                    threads.Add(await api.CreateThreadAsync($"writer{w}", $"kill loop {w}"));
                }
            }

            for (int round = 0; round < Rounds; round++)
            {
                int killAfter = acked.Count + rng.Next(20, 400);
                using (var api = new ApiClient(prg.Port))
                {
                    using var stop = new CancellationTokenSource();
                    Task[] writers = threads.Select((thread, w) => WriteUntilFailureAsync(api, $"writer{w}", thread, round, acked, stop.Token)).ToArray();
                    var deadline = DateTime.UtcNow.AddSeconds(60);
                    while (acked.Count < killAfter && DateTime.UtcNow < deadline && writers.Any(t => !t.IsCompleted))
                    {
                        await Task.Delay(5);
                    }

                    prg.Signal("KILL"); // acknowledged writes may still be in flight: they must survive too
                    await prg.WaitForExitAsync(TimeSpan.FromSeconds(20));
                    stop.Cancel();
                    await Task.WhenAll(writers);
                }

                prg = await PrgProcess.StartAsync(workDir: work);
                using var check = new ApiClient(prg.Port);
                foreach (((string thread, string key), string text) in acked)
                {
                    var (status, json, _) = await check.SendAsync(HttpMethod.Get, $"/v1/threads/{thread}/messages/{key}", user: OwnerOf(threads, thread));
                    Assert.True(status == 200, $"round {round}: acknowledged {thread}/{key} lost after SIGKILL (status {status}); {prg.Output}");
                    Assert.Equal(text, json!["message"]!["body"]!["text"]!.GetValue<string>());
                }
            }
            Assert.True(acked.Count >= Rounds * 20, $"only {acked.Count} posts were acknowledged in {Rounds} rounds");
        }
        finally
        {
            await prg.DisposeAsync();
        }
    }

    private static string OwnerOf(List<string> threads, string thread) => $"writer{threads.IndexOf(thread)}";

    // Posts until the server goes away (or the round ends); records a message only once it got its 201.
    private static async Task WriteUntilFailureAsync(ApiClient api, string user, string thread, int round,
        ConcurrentDictionary<(string, string), string> acked, CancellationToken stop)
    {
        await Task.Yield();
        for (int n = 0; !stop.IsCancellationRequested; n++)
        {
            string text = $"{thread}/{round}/{n}";
            try
            {
                var (status, json, _) = await api.SendAsync(HttpMethod.Post, $"/v1/threads/{Uri.EscapeDataString(thread)}/messages",
                    new JsonObject { ["body"] = new JsonObject { ["text"] = text } }, user: user);
                if (status != 201)
                {
                    return;
                }

                acked[(thread, json!["key"]!.GetValue<string>())] = text;
            }
            catch (HttpRequestException)
            {
                return; // the server was killed
            }
        }
    }
}
