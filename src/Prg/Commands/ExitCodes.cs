// Process exit codes: 0 success, 1 a failure while running (or a refusal to start), 2 bad usage.
namespace Prg.Commands;

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
