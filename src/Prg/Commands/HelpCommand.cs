// `prg help`.
namespace Prg.Commands;

public static class HelpCommand
{
    public static int Run(string[] args)
    {
        if (args.Length > 0)
        {
            throw new UsageException($"help: unexpected argument '{args[0]}'");
        }
        Console.Out.Write(HelpText.Usage);
        return ExitCodes.Ok;
    }
}
