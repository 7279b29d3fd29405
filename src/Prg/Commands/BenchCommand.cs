// `prg bench crypto|kms|http`: the benchmarks users run (src/Prg.Bench). Progress goes to stderr
// (one live line on a terminal, plain lines otherwise), the result table to stdout, and with
// --json FILE the same results as JSON.
using Prg.Bench;

namespace Prg.Commands;

public static class BenchCommand
{
    public const string Help = """
        Usage: prg bench <mode> [options]

        Modes:
          crypto   In-process AES-256-GCM data-frame encrypt/decrypt throughput, next to the bare
                   AesGcm ceiling measured the same way, per size and thread count.
                     --sizes 64,1024,16384   plaintext sizes in bytes
                     --threads 1             thread counts, comma-separated (e.g. 1,2)
                     --seconds 2             length of each measurement
          kms      Round trips and batch throughput of decrypts against a running `prg kms`.
                     --endpoint unix:/PATH   where prg kms listens (or host:port, https://host:port); required
                     --tls-cert/--tls-key/--tls-ca FILE, --tls-server-name NAME   for https (mutual TLS)
                     --batch 50              items per batch request
                     --size 200              plaintext bytes per item
                     --seconds 5             length of each phase (single calls, then batches)
                     --concurrency 1         calls in flight at once
          http     Load generator for the ProgressDB API of a running `prg serve`: creates its
                   threads, posts messages, reads pages of 50 (closed loop unless --rate).
                     --url http://127.0.0.1:8080 | --unix /PATH/SOCK
                     --api-key KEY           backend API key (required)
                     --user bench            acting user (X-User-ID)
                     --signature HEX         X-User-Signature, when KEY is a frontend key
                     --connections 64        keep-alive connections
                     --seconds 10            length of the run
                     --rate 0                total requests/s, open loop (0: closed loop)
                     --mix post=1,get=1,create=0   relative weights of the request kinds
                     --body-size 200         bytes of each message POST's JSON body (min 20)
                     --pipeline 1            requests in flight per connection
                     --threads 1             load generator threads (epoll loops)
                     --chat-threads N        threads created up front (default min(connections, 64))
                     --seed-messages 50      messages posted to each thread first when the mix reads

        Common options:
          --json FILE   also write the results as JSON
          --quiet       no progress line
          --help        print this help

        Exit codes: 0 done, 1 the benchmark could not run (target unreachable, set-up refused),
        2 bad usage.

        """;

    private static readonly string[] s_switches = ["quiet", "help"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? Console.Error : Console.Out).Write(Help);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        string mode = args[0];
        string[] valued = mode switch
        {
            "crypto" => CryptoBenchOptions.ValuedOptions,
            "kms" => KmsBenchOptions.ValuedOptions,
            "http" => HttpBenchOptions.ValuedOptions,
            _ => throw new UsageException($"bench: unknown mode '{mode}' (crypto, kms or http; see 'prg bench --help')"),
        };
        Arguments parsed = Arguments.Parse("bench " + mode, args[1..], valued, s_switches);
        if (parsed.Has("help"))
        {
            Console.Out.Write(Help);
            return ExitCodes.Ok;
        }

        var reader = new OptionReader("bench " + mode, parsed.Get);
        string? jsonPath = parsed.Get("json");
        if (jsonPath is { Length: 0 })
        {
            throw new UsageException($"bench {mode}: --json needs a file name");
        }

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C stops the run; the second one kills the process as usual.
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        using var progress = parsed.Has("quiet")
            ? ProgressReporter.Silent
            : new ProgressReporter(Console.Error, interactive: !Console.IsErrorRedirected);
        BenchReport report;
        try
        {
            report = mode switch
            {
                "crypto" => CryptoBench.Run(CryptoBenchOptions.Parse(reader), progress, stop.Token),
                "kms" => await KmsBench.RunAsync(KmsBenchOptions.Parse(reader), progress, stop.Token),
                _ => await HttpBench.RunAsync(HttpBenchOptions.Parse(reader), progress, stop.Token),
            };
        }
        catch (BenchOptionException e)
        {
            throw new UsageException(e.Message);
        }
        catch (BenchFailedException e)
        {
            progress.Dispose();
            Console.Error.WriteLine($"prg: bench {mode}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            progress.Dispose();
            Console.Error.WriteLine($"prg: bench {mode}: interrupted");
            return ExitCodes.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        progress.Dispose();
        Console.Out.Write(ReportWriter.ToTable(report));
        if (jsonPath is not null)
        {
            try
            {
                ReportWriter.WriteJsonFile(report, jsonPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"prg: bench {mode}: cannot write {jsonPath}: {e.Message}");
                return ExitCodes.Failure;
            }
        }

        return ExitCodes.Ok;
    }
}
