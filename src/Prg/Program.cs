// prg's entry point: picks the subcommand (busybox style: invoked as `prgkms` it runs `kms`).
using Prg.Commands;

namespace Prg;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        RunSocketCompletionsInline();
        NoThreadPoolSpinning();
        var invokedAs = Path.GetFileName(Environment.ProcessPath ?? "prg");
        if (invokedAs == "prgkms")
        {
            args = ["kms", .. args];
        }
        if (args.Length == 0)
        {
            Console.Error.Write(HelpText.Usage);
            return ExitCodes.Usage;
        }
        var rest = args[1..];
        try
        {
            return args[0] switch
            {
                "serve" => await ServeCommand.RunAsync(rest),
                "kms" => await KmsCommand.RunAsync(rest),
                "keygen" => KeygenCommand.Run(rest),
                "bench" => await BenchCommand.RunAsync(rest),
                "backup" => await BackupCommand.RunAsync(rest),
                "restore" => await RestoreCommand.RunAsync(rest),
                "export" => await ExportCommand.RunAsync(rest),
                "import" => await ImportCommand.RunAsync(rest),
                "version" or "--version" => VersionCommand.Run(rest),
                "help" or "--help" or "-h" => HelpCommand.Run(rest),
                _ => Usage($"unknown command '{args[0]}' (see 'prg --help')"),
            };
        }
        catch (UsageException e)
        {
            return Usage(e.Message);
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"prg: {message}");
        return ExitCodes.Usage;
    }

    /// <summary>
    /// Socket completions run the request path on the socket event thread instead of a thread-pool
    /// hop per read: about 1.6x the /healthz throughput (docs/benchmarks.md). Safe because no
    /// handler blocks: durable waits and key-service calls are asynchronous. Must run before the
    /// first socket is created; an explicit setting in the environment wins.
    /// </summary>
    private static void RunSocketCompletionsInline() => SetDefault("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

    /// <summary>
    /// Idle thread-pool workers sleep at once instead of spinning (sched_yield) first: on a server with
    /// one or two cores the spinning took the core from the work it waited for; 25-35% less server CPU
    /// per durable post at 2,000-5,000/s (docs/benchmarks.md, "Write path, fourth round").
    /// </summary>
    private static void NoThreadPoolSpinning() => SetDefault("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0");

    /// <summary>Sets a runtime knob before the runtime reads it; an explicit setting in the environment wins.</summary>
    private static void SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
