// Runs `openssl speed -evp aes-256-gcm` for one block size, so `prg bench crypto` can print the ratio
// users compare prg against. The child inherits prg's CPU affinity (taskset), so both share a core.
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Prg.Bench;

internal static class OpensslSpeed
{
    /// <summary>openssl's AES-256-GCM encrypt throughput in MB/s (10^6 B/s), or null if openssl is unavailable or failed.</summary>
    internal static double? Measure(int size, TimeSpan duration)
    {
        int seconds = Seconds(duration);
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -elapsed: wall-clock time like prg's own loops (openssl's default divides by CPU time).
        foreach (string argument in (string[])["speed", "-elapsed", "-seconds", seconds.ToString(CultureInfo.InvariantCulture),
            "-bytes", size.ToString(CultureInfo.InvariantCulture), "-evp", "aes-256-gcm"])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start)!;
            _ = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? Parse(output) : null;
        }
        catch (Win32Exception)
        {
            return null; // not on PATH
        }
    }

    /// <summary>How long one openssl run takes for a loop duration (openssl counts whole seconds).</summary>
    internal static int Seconds(TimeSpan duration) => Math.Max(1, (int)Math.Round(duration.TotalSeconds));

    /// <summary>Reads the "AES-256-GCM  1538483.20k" row (thousands of bytes per second).</summary>
    internal static double? Parse(string output)
    {
        foreach (string line in output.Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0].Equals("AES-256-GCM", StringComparison.OrdinalIgnoreCase) && fields[1].EndsWith('k')
                && double.TryParse(fields[1].AsSpan(0, fields[1].Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double thousands))
            {
                return thousands / 1000;
            }
        }

        return null;
    }
}
