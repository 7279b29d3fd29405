// A short in-process run of `prg bench crypto`: every operation measured, ratios computed.
namespace Prg.Bench.Tests;

[Collection(CpuHeavy.Name)]
public class CryptoBenchTests
{
    [Fact]
    public void A_short_run_measures_every_operation_and_the_frame_to_ceiling_ratio()
    {
        var options = new CryptoBenchOptions { Sizes = [64, 1024], Threads = [1, 2], Duration = TimeSpan.FromSeconds(0.1) };
        BenchReport report = CryptoBench.Run(options, ProgressReporter.Silent);

        ReportSection throughput = report.FindSection("throughput")!;
        Assert.Equal(2 * 2 * 4, throughput.Rows.Count);
        Assert.All(throughput.Rows, row => Assert.True(row[3].Number > 0, $"{row[2]} at {row[0]} B measured no operations"));
        Assert.Equal(["frame-encrypt", "frame-decrypt", "gcm-encrypt", "gcm-decrypt"], throughput.Rows.Take(4).Select(r => r[2].Text));

        ReportSection ratio = report.FindSection("ratio")!;
        Assert.Equal(4, ratio.Rows.Count);
        Assert.All(ratio.Rows, row => Assert.True(double.IsFinite(row[2].Number) && row[2].Number > 0));
        Assert.Equal(TimeSpan.FromSeconds(1.6 + 2), CryptoBench.ExpectedDuration(options)); // + one openssl second per size

        // openssl is installed wherever prg is built and tested: the ratio users compare is there.
        ReportSection openssl = report.FindSection("openssl")!;
        Assert.Equal([64.0, 1024.0], openssl.Rows.Select(r => r[0].Number));
        Assert.All(openssl.Rows, row => Assert.True(row[1].Number > 0 && double.IsFinite(row[2].Number) && row[2].Number > 0));
    }

    [Fact]
    public void The_openssl_speed_row_is_read_in_megabytes_per_second()
    {
        const string output = "The 'numbers' are in 1000s of bytes per second processed.\ntype           1024 bytes\nAES-256-GCM    1538483.20k\n";
        Assert.Equal(1538.4832, OpensslSpeed.Parse(output)!.Value, 6);
        Assert.Null(OpensslSpeed.Parse("openssl: unknown option\n"));
    }

    [Fact]
    public void Cancelling_stops_the_run()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var options = new CryptoBenchOptions { Sizes = [64], Threads = [1], Duration = TimeSpan.FromSeconds(30) };
        Assert.ThrowsAny<OperationCanceledException>(() => CryptoBench.Run(options, ProgressReporter.Silent, cancel.Token));
    }
}
