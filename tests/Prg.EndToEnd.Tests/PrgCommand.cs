// Runs a one-shot prg command (backup, restore, export, import) to its exit and collects its output.
using System.Diagnostics;

namespace Prg.EndToEnd.Tests;

public static class PrgCommand
{
    public sealed record Result(int Exit, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(IEnumerable<string> args, string? workDir = null, TimeSpan? timeout = null)
    {
        workDir ??= Path.GetTempPath();
        using Process process = PrgProcess.Start(args, workDir, new Dictionary<string, string>());
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException($"prg {string.Join(' ', args)} did not exit: {await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
