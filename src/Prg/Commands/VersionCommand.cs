// `prg version`.
using Prg.Api;

namespace Prg.Commands;

public static class VersionCommand
{
    public static int Run(string[] args)
    {
        if (args.Length > 0)
        {
            throw new UsageException($"version: unexpected argument '{args[0]}'");
        }
        Console.Out.WriteLine($"prg {BuildInfo.Version}");
        return ExitCodes.Ok;
    }
}
