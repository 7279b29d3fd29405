// The "Date: ...\r\n" header line, formatted once per second rather than per response.
using System.Text;

namespace Prg.Http;

public static class DateHeader
{
    private static byte[] s_line = Format(DateTimeOffset.UtcNow);
    private static long s_second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static ReadOnlySpan<byte> Line
    {
        get
        {
            var now = Environment.TickCount64; // cheap monotonic check before touching the wall clock
            if (now - s_lastCheck >= 100)
            {
                s_lastCheck = now;
                var utc = DateTimeOffset.UtcNow;
                var second = utc.ToUnixTimeSeconds();
                if (second != Volatile.Read(ref s_second))
                {
                    Volatile.Write(ref s_line, Format(utc));
                    Volatile.Write(ref s_second, second);
                }
            }
            return Volatile.Read(ref s_line);
        }
    }

    private static long s_lastCheck = Environment.TickCount64;

    private static byte[] Format(DateTimeOffset utc) => Encoding.ASCII.GetBytes($"Date: {utc:r}\r\n");
}
