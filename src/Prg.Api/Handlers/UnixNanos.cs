// Server-assigned timestamps: UTC Unix nanoseconds (spec/api.md §3).
namespace Prg.Api.Handlers;

public static class UnixNanos
{
    public static long Now() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
