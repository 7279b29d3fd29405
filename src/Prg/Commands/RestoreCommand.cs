// `prg restore --in FILE --data-dir DIR [--verify] [--master-key-file F]`: unpacks a `prg backup`
// archive into an empty directory, checking every file's SHA-256 and the manifest's own checksum
// (always); a damaged or truncated archive is refused with one line and leaves nothing behind.
// --verify then opens the restored store (recovery to the backup's point) and compares its counts with
// the manifest; with --master-key-file it also decrypts a sample of every thread.
using System.Globalization;
using Prg.Api;
using Prg.Api.Operations;
using Prg.Crypto;
using Prg.Logging;

namespace Prg.Commands;

public static class RestoreCommand
{
    public const string HelpText = """
        Usage: prg restore --in FILE --data-dir DIR [--verify] [--master-key-file F]
        Restores a 'prg backup' archive into DIR (new or empty), checking the SHA-256 of every file and
        of the manifest; a damaged or truncated archive is refused and DIR left empty.
          --verify             also open the restored store and compare its counts with the manifest
          --master-key-file F  (implies --verify) also decrypt a sample of every thread with this key
        Then run 'prg serve' with server.db_path: DIR and the same master key.

        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Arguments.Parse("restore", args, valued: ["in", "data-dir", "master-key-file"], switches: ["help", "verify"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write(HelpText);
            return ExitCodes.Ok;
        }
        string input = parsed.Require("in", "FILE");
        string dataDir = parsed.Require("data-dir", "DIR");
        string? keyFile = parsed.Get("master-key-file");
        bool verify = parsed.Has("verify") || keyFile is not null;
        Prg.Http.ProcessUmask.RestrictToOwner();
        try
        {
            BackupManifest manifest;
            await using (var archive = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                manifest = BackupRestore.Restore(archive, dataDir);
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"restored {input} into {Path.GetFullPath(dataDir)}: point {manifest.Point}, {manifest.Threads} threads, {manifest.Messages} messages, {manifest.Files.Count} files, {manifest.TotalBytes} bytes; every checksum verified"));
            if (verify)
            {
                using var log = Log.ToStandardError(LogLevel.Warn);
                RestoreVerification result = await RestoreVerifier.VerifyAsync(dataDir, manifest, keyFile, log);
                Console.Out.WriteLine(keyFile is null
                    ? $"verified: the store opens at the backup's point with {result.Threads} threads and {result.Messages} messages (no --master-key-file: decryption not checked)"
                    : $"verified: the store opens at the backup's point with {result.Threads} threads and {result.Messages} messages; decrypted {result.RecordsDecrypted} records from all {result.ThreadsSampled} threads");
            }
            Console.Out.WriteLine($"the master key is not in the backup (it was {manifest.MasterKeyLocation}); serve with server.db_path: {Path.GetFullPath(dataDir)} and that key");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or StartupException or CryptoException)
        {
            Console.Error.WriteLine($"prg: restore: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
