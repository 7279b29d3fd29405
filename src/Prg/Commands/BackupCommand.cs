// `prg backup --url URL --admin-key KEY --out FILE`: an online, consistent backup of a running server.
// The server pins a snapshot (POST /admin/backup); its files are pulled in bounded chunks and written
// straight into a tar archive with a manifest (point, counts, SHA-256 of every file), then the pin is
// released. The archive is written to FILE.partial, fsynced and renamed: FILE exists only when complete.
// It holds ciphertext and wrapped data keys only; never the master key (the output says where it is).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Prg.Api.Operations;

namespace Prg.Commands;

public static class BackupCommand
{
    public const string HelpText = """
        Usage: prg backup --url URL --admin-key KEY --out FILE
        Takes an online backup of the prg at URL while it keeps serving: one tar archive, consistent to
        one point in the commit order, with a manifest (format version, point, counts, SHA-256 of every
        file). The archive holds ciphertext and wrapped data keys only, never the master key: keep the
        master key safe separately; restore needs it to read anything. FILE must not exist.

        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Arguments.Parse("backup", args, valued: ["url", "admin-key", "out"], switches: ["help"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write(HelpText);
            return ExitCodes.Ok;
        }
        string url = parsed.Require("url", "URL");
        string key = parsed.Require("admin-key", "KEY");
        string output = parsed.Require("out", "FILE");
        if (File.Exists(output))
        {
            Console.Error.WriteLine($"prg: backup: {output} exists; choose a new file");
            return ExitCodes.Failure;
        }
        using var client = new ApiClient(url, key);
        try
        {
            await RunAsync(client, Path.GetFullPath(output));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ApiCallException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"prg: backup: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static async Task RunAsync(ApiClient client, string output)
    {
        var clock = Stopwatch.StartNew();
        using JsonDocument started = await client.SendJsonAsync(HttpMethod.Post, "/admin/backup");
        JsonElement snapshot = started.RootElement;
        string id = snapshot.GetProperty("id").GetString()!;
        var manifest = new BackupManifest
        {
            StoreFormat = snapshot.GetProperty("store_format").GetInt32(),
            Point = snapshot.GetProperty("point").GetInt64(),
            CheckpointLsn = snapshot.GetProperty("checkpoint_lsn").GetInt64(),
            WalSegmentSize = snapshot.GetProperty("wal_segment_size").GetInt64(),
            CreatedTs = snapshot.GetProperty("created_ts").GetInt64(),
            Threads = snapshot.GetProperty("threads").GetInt64(),
            Messages = snapshot.GetProperty("messages").GetInt64(),
            MasterKeyLocation = snapshot.GetProperty("master_key").GetString() ?? "",
        };
        string partial = output + ".partial";
        try
        {
            var progress = new ProgressLine("backup");
            await using (var stream = new FileStream(partial, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                BufferSize = 1 << 16,
            }))
            {
                var tar = new BackupTarWriter(stream);
                int index = 0;
                foreach (JsonElement file in snapshot.GetProperty("files").EnumerateArray())
                {
                    string path = file.GetProperty("path").GetString()!;
                    long size = file.GetProperty("size").GetInt64();
                    await tar.BeginFileAsync(path, size, default);
                    for (long offset = 0; offset < size;)
                    {
                        byte[] chunk = await client.SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"/admin/backup/{id}/files/{index}?offset={offset}"));
                        if (chunk.Length == 0 || chunk.Length > size - offset)
                        {
                            throw new InvalidDataException($"the server sent {chunk.Length} bytes of {path} at offset {offset} (size {size})");
                        }

                        await tar.WriteAsync(chunk, default);
                        offset += chunk.Length;
                        progress.Report($"{index + 1} files, {tar.Position / 1e6:F1} MB");
                    }
                    manifest.Files.Add(new BackupFile(path, size, file.GetProperty("pad_to").GetInt64(), await tar.EndFileAsync(default)));
                    index++;
                }
                // The pin must have held until the last byte: a backup the server ended (idle timeout) fails here.
                await client.SendAsync(HttpMethod.Delete, $"/admin/backup/{id}");
                byte[] json = manifest.ToJson();
                string sha = await tar.AddFileAsync(BackupManifest.FileName, json, default);
                await tar.AddFileAsync(BackupManifest.ChecksumFileName, Encoding.ASCII.GetBytes(sha + "\n"), default);
                await tar.FinishAsync(default);
                await stream.FlushAsync();
                stream.Flush(flushToDisk: true);
            }
            progress.Clear();
            File.Move(partial, output);
        }
        catch
        {
            File.Delete(partial);
            try
            {
                await client.SendAsync(HttpMethod.Delete, $"/admin/backup/{id}");
            }
            catch (ApiCallException)
            {
                // already ended; the original failure is what matters
            }
            throw;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = new FileInfo(output).Length;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output}: point {manifest.Point}, {manifest.Threads} threads, {manifest.Messages} messages, {manifest.Files.Count} files, {bytes} bytes in {seconds:F1} s ({bytes / 1e6 / Math.Max(seconds, 1e-3):F1} MB/s)"));
        Console.Out.WriteLine($"the master key is NOT in this backup; it is {manifest.MasterKeyLocation}. Keep it: nothing in the backup can be read without it.");
    }
}
