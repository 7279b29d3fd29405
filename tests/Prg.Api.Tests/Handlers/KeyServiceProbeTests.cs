// KeyServiceProbe: /readyz's view of the external key service — down on a transport error, up again
// once it answers, and concurrent probes share one call.
using Prg.Api.Handlers;
using Prg.Crypto;

namespace Prg.Api.Tests.Handlers;

public class KeyServiceProbeTests
{
    [Fact]
    public async Task ReportsDownWhileTheCheckFailsAndUpOnceItAnswers()
    {
        var up = false;
        var calls = 0;
        var probe = new KeyServiceProbe(_ =>
        {
            Interlocked.Increment(ref calls);
            return up ? ValueTask.CompletedTask : ValueTask.FromException(new KeyServiceUnavailableException("down"));
        });
        Assert.False(await probe.IsUpAsync());
        up = true;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await probe.IsUpAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "the probe never asked again");
            await Task.Delay(50);
        }
        // At most one call per MaxAge: far fewer calls than probes.
        Assert.InRange(calls, 2, 1 + (int)(30 / KeyServiceProbe.MaxAge.TotalSeconds) + 1);
    }

    [Fact]
    public async Task ConcurrentProbesShareOneCall()
    {
        var release = new TaskCompletionSource();
        var calls = 0;
        var probe = new KeyServiceProbe(async _ =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
        });
        var probes = Enumerable.Range(0, 50).Select(_ => probe.IsUpAsync()).ToArray();
        release.SetResult();
        Assert.All(await Task.WhenAll(probes), Assert.True);
        Assert.Equal(1, calls);
    }
}
