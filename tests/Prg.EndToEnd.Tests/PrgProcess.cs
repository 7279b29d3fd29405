// Starts the real prg binary (the native AOT build named by PRG_BINARY) on a free port with its own
// data directory, waits until /readyz answers, and stops it with a signal.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prg.EndToEnd.Tests;

public sealed class PrgProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private PrgProcess(Process process, int port, string dataDir, string workDir)
    {
        _process = process;
        Port = port;
        DataDir = dataDir;
        WorkDir = workDir;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Port { get; }
    public string DataDir { get; }
    public string WorkDir { get; }
    public string? UnixSocket { get; init; }
    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static string BinaryPath =>
        Environment.GetEnvironmentVariable("PRG_BINARY") is { Length: > 0 } path
            ? path
            : throw new InvalidOperationException("PRG_BINARY is not set: run the suite through tools/test.sh, which publishes the AOT binary first");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A fresh temporary directory the test owns.</summary>
    public static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "prg-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    public const string AdminKey = "admin-key-e2e";
    public const string BackendKey = "backend-key-e2e";
    public const string FrontendKey = "frontend-key-e2e";
    public const string SigningKey = "signing-secret-e2e";
    public const string MasterKeyHex = "5e1f0c2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100";

    /// <summary>
    /// Starts `prg serve` on a config with test keys and embedded encryption; <paramref name="serverYaml"/>
    /// adds lines under `server:` (indented two spaces), <paramref name="topYaml"/> adds top-level sections.
    /// Rate limiting is off unless <paramref name="serverYaml"/> sets it or <paramref name="defaultRateLimit"/>
    /// asks for prg's default: load tests must not meet the default 1,000 requests/s per key.
    /// </summary>
    public static async Task<PrgProcess> StartAsync(string serverYaml = "", string topYaml = "", string? workDir = null, string? unixSocket = null, bool waitReady = true, bool defaultRateLimit = false,
        IDictionary<string, string>? env = null)
    {
        workDir ??= NewDirectory();
        var port = FreePort();
        var dataDir = Path.Combine(workDir, "data");
        var config = Path.Combine(workDir, "config.yaml");
        var yaml = $"""
            server:
              address: 127.0.0.1
              port: {port}
              db_path: {dataDir}
              api_keys:
                admin: [{AdminKey}]
                backend: [{BackendKey}]
                frontend: [{FrontendKey}]
                signing: [{SigningKey}]
            {(unixSocket is null ? "" : $"  unix_socket: {unixSocket}\n")}{(defaultRateLimit || serverYaml.Contains("rate_limit:") ? "" : "  rate_limit:\n    rps: 0\n")}{serverYaml}
            {(topYaml.Contains("encryption:") ? "" : $"encryption:\n  enabled: true\n  kms:\n    master_key_hex: {MasterKeyHex}\n")}{topYaml}
            """;
        await File.WriteAllTextAsync(config, yaml);
        var process = Start(["serve", "--config", config], workDir, env ?? new Dictionary<string, string>());
        var prg = new PrgProcess(process, port, dataDir, workDir) { UnixSocket = unixSocket };
        if (waitReady)
        {
            await prg.WaitReadyAsync();
        }
        return prg;
    }

    /// <summary>
    /// Starts `prg` with exactly <paramref name="args"/> and <paramref name="env"/> (no generated config) in
    /// <paramref name="workDir"/>, expecting it to listen on <paramref name="port"/>.
    /// </summary>
    public static async Task<PrgProcess> StartRawAsync(IEnumerable<string> args, string workDir, int port, string dataDir,
        IDictionary<string, string>? env = null, bool waitReady = true, string? standardInput = null)
    {
        var process = Start(args, workDir, env ?? new Dictionary<string, string>(), standardInput);
        var prg = new PrgProcess(process, port, dataDir, workDir);
        if (waitReady)
        {
            await prg.WaitReadyAsync();
        }
        return prg;
    }

    public static Process Start(IEnumerable<string> args, string workDir, IDictionary<string, string> env, string? standardInput = null)
    {
        var info = new ProcessStartInfo(BinaryPath)
        {
            WorkingDirectory = workDir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("PROGRESSDB_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prg");
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        return process;
    }

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the asynchronous output readers, so Output is complete
                throw new InvalidOperationException($"prg exited with {_process.ExitCode}: {Output}");
            }
            try
            {
                using var client = new RawClient(Port);
                var response = await client.SendAsync("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n");
                if (response.Status == 200)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("prg did not become ready: " + Output);
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString()]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("KILL");
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
