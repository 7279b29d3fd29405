// `prg keygen --out FILE`: a fresh master key, hex, mode 0600 from creation, never overwriting.
using Prg.Crypto;

namespace Prg.Commands;

public static class KeygenCommand
{
    public static int Run(string[] args)
    {
        var parsed = Arguments.Parse("keygen", args, valued: ["out"], switches: ["help"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write("Usage: prg keygen --out FILE\nWrites a new 32-byte master key as 64 hex characters to FILE (mode 0600); refuses to overwrite.\n");
            return ExitCodes.Ok;
        }
        var path = parsed.Require("out", "FILE");
        try
        {
            var kekId = KeyFile.WriteNew(path);
            Console.Out.WriteLine($"wrote master key {Path.GetFullPath(path)} (kek_id {kekId}, mode 0600)");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is MasterKeyException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"prg: keygen: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
