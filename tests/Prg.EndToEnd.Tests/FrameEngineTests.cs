// The AES-256-GCM engine the AOT binary picks for data frames: the in-process AES-NI one on this CPU
// (native AOT must not have compiled it away), OpenSSL EVP when PRG_FRAME_ENGINE forces it, a clear
// refusal for an unknown value, and frames written under one engine read back under the other.
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Prg.EndToEnd.Tests;

public sealed class FrameEngineTests
{
    private static readonly Dictionary<string, string> ForceEvp = new() { ["PRG_FRAME_ENGINE"] = "openssl-evp" };

    [Fact]
    public async Task TheAotBinaryUsesTheAesNiEngineOnThisCpuUnlessForcedToEvp()
    {
        string[] flags = File.ReadAllLines("/proc/cpuinfo").First(line => line.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        Assert.True(flags.Contains("aes") && flags.Contains("pclmulqdq"), "this test machine is expected to have AES-NI and PCLMULQDQ");
        string dir = PrgProcess.NewDirectory();
        string[] bench = ["bench", "crypto", "--sizes", "200", "--seconds", "0.1"];

        (int code, string stdout, string stderr) = await RunAsync(dir, [], bench);
        Assert.True(code == 0, stderr);
        Assert.Contains("engine=aesni-pclmul", stdout);

        (code, stdout, stderr) = await RunAsync(dir, ForceEvp, bench);
        Assert.True(code == 0, stderr);
        Assert.Contains("engine=openssl-evp", stdout);
    }

    [Fact]
    public async Task AnUnknownEngineRefusesToStart()
    {
        await using var prg = await PrgProcess.StartAsync(waitReady: false, env: new Dictionary<string, string> { ["PRG_FRAME_ENGINE"] = "fastest" });

        Assert.Equal(1, await prg.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("PRG_FRAME_ENGINE must be auto, aesni-pclmul or openssl-evp", prg.Output);
    }

    [Fact]
    public async Task FramesWrittenUnderOneEngineAreReadUnderTheOther()
    {
        string dir = PrgProcess.NewDirectory();
        var bodies = new Dictionary<string, string>();
        string thread;
        PrgProcess evp = await PrgProcess.StartAsync(workDir: dir, env: ForceEvp);
        using (var api = new ApiClient(evp.Port))
        {
            thread = await api.CreateThreadAsync("erin", "engines");
            await PostAsync(api, thread, bodies, "evp");
        }

        await StopAsync(evp);
        PrgProcess aesni = await PrgProcess.StartAsync(workDir: dir);
        using (var api = new ApiClient(aesni.Port))
        {
            await AssertPageAsync(api, thread, bodies);
            await PostAsync(api, thread, bodies, "aesni");
        }

        await StopAsync(aesni);
        await using PrgProcess again = await PrgProcess.StartAsync(workDir: dir, env: ForceEvp);
        using (var api = new ApiClient(again.Port))
        {
            await AssertPageAsync(api, thread, bodies);
        }
    }

    private static async Task PostAsync(ApiClient api, string thread, Dictionary<string, string> bodies, string engine)
    {
        foreach (int length in (int[])[0, 1, 15, 16, 17, 63, 64, 65, 200, 1000])
        {
            string text = $"{engine}:" + new string('x', length);
            bodies[await api.PostMessageAsync("erin", thread, new JsonObject { ["text"] = text })] = text;
        }
    }

    private static async Task AssertPageAsync(ApiClient api, string thread, Dictionary<string, string> bodies)
    {
        JsonNode page = await api.GetOkAsync($"/v1/threads/{thread}/messages?limit=100", user: "erin");
        var seen = page["messages"]!.AsArray().ToDictionary(m => m!["key"]!.GetValue<string>(), m => m!["body"]!["text"]!.GetValue<string>());
        Assert.Equal(bodies.OrderBy(p => p.Key), seen.OrderBy(p => p.Key));
    }

    private static async Task StopAsync(PrgProcess prg)
    {
        prg.Signal("TERM");
        Assert.Equal(0, await prg.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string workDir, Dictionary<string, string> env, string[] args)
    {
        using Process process = PrgProcess.Start(args, workDir, env);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
