// Starts the real `prg kms` (the AOT binary) on a Unix socket with its own key store, waits until
// /healthz answers over the socket, and can kill and restart it on the same socket and store.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Prg.EndToEnd.Tests;

public sealed class KmsProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public KmsProcess(string workDir, string masterKeyFile)
    {
        WorkDir = workDir;
        MasterKeyFile = masterKeyFile;
        DataDir = Path.Combine(workDir, "kms-data");
        SocketPath = Path.Combine(workDir, "prgkms.sock");
    }

    public string WorkDir { get; }
    public string MasterKeyFile { get; }
    public string DataDir { get; }
    public string SocketPath { get; }
    public string Endpoint => "unix:" + SocketPath;

    /// <summary>Arguments naming the master key (default: --master-key-file MasterKeyFile).</summary>
    public IReadOnlyList<string>? MasterKeyArgs { get; init; }

    /// <summary>Further arguments (TLS, audit log, ...).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Written to standard input, which is then closed (a key handed over with --master-key-fd 0).</summary>
    public string? StandardInput { get; init; }

    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task StartAsync()
    {
        var process = PrgProcess.Start(
            ["kms", "--socket", SocketPath, "--data-dir", DataDir, .. MasterKeyArgs ?? ["--master-key-file", MasterKeyFile], .. ExtraArgs],
            WorkDir, Environment, StandardInput);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // drains the asynchronous output readers, so Output is complete
                throw new InvalidOperationException($"prg kms exited with {process.ExitCode}: {Output}");
            }
            if (File.Exists(SocketPath))
            {
                try
                {
                    using var client = new RawClient(SocketPath);
                    if ((await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: kms\r\n\r\n")).Status == 200)
                    {
                        return;
                    }
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("prg kms did not become ready: " + Output);
    }

    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async Task<int> TerminateAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
