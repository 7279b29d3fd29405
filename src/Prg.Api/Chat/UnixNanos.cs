// Server-assigned timestamps: UTC Unix nanoseconds (spec/api.md §3). Strictly increasing within the
// process, so two writes never share a timestamp and a wall-clock step backwards never reorders them.
namespace Prg.Api.Chat;

public static class UnixNanos
{
    private static long s_last;

    public static long Now()
    {
        var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            var next = now > last ? now : last + 1;
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
            {
                return next;
            }
        }
    }
}
