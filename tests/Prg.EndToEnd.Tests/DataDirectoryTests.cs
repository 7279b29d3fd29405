// The data directory as an operator meets it: a second process on it is refused (prg serve and prg
// kms), its format version is checked, its files are private, and a damaged write-ahead log refuses
// to start with one line unless the operator salvages.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Prg.EndToEnd.Tests;

public sealed class DataDirectoryTests
{
    private const int WalHeaderSize = 24;

    [Fact]
    public async Task SecondServerOnTheSameDataDirectoryIsRefusedWithOneLine()
    {
        await using var first = await PrgProcess.StartAsync();
        string config = ConfigWithNewPort(first);

        (int exit, string stderr) = await RunToExitAsync(["serve", "--config", config], first.WorkDir);

        Assert.Equal(1, exit);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"is in use by another process (pid {first.Pid})", line, StringComparison.Ordinal);
        Assert.Contains(first.DataDir, line, StringComparison.Ordinal);
        await first.WaitReadyAsync(); // the first server is untouched
    }

    [Fact]
    public async Task SecondKeyServiceOnTheSameDataDirectoryIsRefused()
    {
        var work = PrgProcess.NewDirectory();
        var keyFile = EncryptionTestKeys.WriteKeyFile(work, "master.key", EncryptionTestKeys.Key1Hex);
        await using var kms = new KmsProcess(work, keyFile);
        await kms.StartAsync();

        (int exit, string stderr) = await RunToExitAsync(
            ["kms", "--socket", Path.Combine(work, "second.sock"), "--data-dir", kms.DataDir, "--master-key-file", keyFile], work);

        Assert.Equal(1, exit);
        Assert.Contains("is in use by another process (pid ", stderr, StringComparison.Ordinal);
        Assert.Contains(kms.DataDir, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAndFormatOneDataDirectoriesAreRefusedNamingTheVersions()
    {
        await using var server = await PrgProcess.StartAsync();
        string config = Path.Combine(server.WorkDir, "config.yaml");
        server.Signal("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        string store = Path.Combine(server.DataDir, "store");
        Assert.Equal("2", File.ReadAllText(Path.Combine(store, "FORMAT")).Trim());

        File.WriteAllText(Path.Combine(store, "FORMAT"), "3\n");
        (int exit, string stderr) = await RunToExitAsync(["serve", "--config", config], server.WorkDir);
        Assert.Equal(1, exit);
        Assert.Contains("format version 3", stderr, StringComparison.Ordinal);
        Assert.Contains("format 2", stderr, StringComparison.Ordinal);

        // What the previous prg left: FASTER files and a FasterLog WAL, no FORMAT file.
        Directory.Delete(store, recursive: true);
        Directory.CreateDirectory(Path.Combine(store, "kv", "checkpoints"));
        Directory.CreateDirectory(Path.Combine(store, "wal", "log-commits"));
        File.WriteAllBytes(Path.Combine(store, "wal", "wal.log.0"), new byte[512]);
        (exit, stderr) = await RunToExitAsync(["serve", "--config", config], server.WorkDir);
        Assert.Equal(1, exit);
        Assert.Contains("format version 1", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task EveryDataFileIsPrivateWhileServingAndAfterShutdown()
    {
        await using var server = await PrgProcess.StartAsync();
        using var api = new ApiClient(server.Port);
        var thread = await api.CreateThreadAsync("alice", "modes");
        for (int i = 0; i < 20; i++)
        {
            await api.PostMessageAsync("alice", thread, JsonValue.Create($"m{i}"));
        }

        AssertPrivate(server.DataDir);

        server.Signal("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(server.DataDir, "store", "kv", "checkpoints"), "*", SearchOption.AllDirectories));
        AssertPrivate(server.DataDir);
    }

    [Fact]
    public async Task DamagedLogRefusesToStartWithOneLineAndSalvageStartsAndReportsTheLoss()
    {
        await using var server = await PrgProcess.StartAsync();
        using (var api = new ApiClient(server.Port))
        {
            var thread = await api.CreateThreadAsync("alice", "damage");
            for (int i = 0; i < 30; i++)
            {
                await api.PostMessageAsync("alice", thread, JsonValue.Create($"message {i}"));
            }
        }
        server.Signal("KILL");
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        string segment = Path.Combine(server.DataDir, "store", "wal", "000000000000.wal");
        long damaged = FlipPayloadByteOfARecordFollowedByDurableOnes(segment);
        string config = Path.Combine(server.WorkDir, "config.yaml");

        (int exit, string stderr) = await RunToExitAsync(["serve", "--config", config], server.WorkDir);
        Assert.Equal(1, exit);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(segment, line, StringComparison.Ordinal);
        Assert.Contains($"offset {damaged} ", line, StringComparison.Ordinal);

        await using var salvaged = await PrgProcess.StartRawAsync(["serve", "--config", config, "--salvage"], server.WorkDir, server.Port, server.DataDir);
        Assert.Contains("salvage", salvaged.Output, StringComparison.Ordinal);
        Assert.Contains($"offset {damaged} ", salvaged.Output, StringComparison.Ordinal);
        Assert.Contains("lost", salvaged.Output, StringComparison.Ordinal);
    }

    // Walks the segment's records (length, CRC, LSN, durable-before) and damages one in the middle
    // that a later record proves was durable; returns its offset.
    private static long FlipPayloadByteOfARecordFollowedByDurableOnes(string segment)
    {
        byte[] data = File.ReadAllBytes(segment);
        var records = new List<(long Offset, long DurableBefore)>();
        long offset = 0;
        while (offset + WalHeaderSize <= data.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)offset));
            long lsn = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan((int)offset + 8));
            if (length == 0 || length == uint.MaxValue || lsn != offset)
            {
                break;
            }

            records.Add((offset, BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan((int)offset + 16))));
            offset += (WalHeaderSize + length + 7) & ~7L;
        }
        Assert.True(records.Count > 10, $"expected the posts' records in {segment}, found {records.Count}");
        long target = records[records.Count / 2].Offset;
        Assert.Contains(records, r => r.DurableBefore > target);
        data[target + WalHeaderSize + 2] ^= 0xFF;
        File.WriteAllBytes(segment, data);
        return target;
    }

    private static void AssertPrivate(string dataDir)
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));
        foreach (string entry in Directory.EnumerateFileSystemEntries(dataDir, "*", SearchOption.AllDirectories))
        {
            var expected = Directory.Exists(entry)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.True(File.GetUnixFileMode(entry) == expected, $"{entry} has mode {File.GetUnixFileMode(entry)}, expected {expected}");
        }
    }

    private static string ConfigWithNewPort(PrgProcess server)
    {
        string original = File.ReadAllText(Path.Combine(server.WorkDir, "config.yaml"));
        string path = Path.Combine(server.WorkDir, "second.yaml");
        File.WriteAllText(path, Regex.Replace(original, @"port: \d+", $"port: {PrgProcess.FreePort()}"));
        return path;
    }

    private static async Task<(int Exit, string Stderr)> RunToExitAsync(IEnumerable<string> args, string workDir)
    {
        using Process process = PrgProcess.Start(args, workDir, new Dictionary<string, string>());
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException($"prg {string.Join(' ', args)} did not exit: {await stderr}");
        }
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
