// Random 96-bit nonces for data frames, drawn from a per-thread buffer that is refilled from the
// OS CSPRNG in bulk. One RandomNumberGenerator call costs about as much as encrypting a kilobyte
// (OpenSSL 3 RAND_bytes overhead), so drawing 12 bytes per call would halve small-frame throughput;
// bulk refills keep every nonce fully random (each byte is used once) at a fraction of the cost.
using System.Security.Cryptography;

namespace Prg.Crypto;

internal static class NonceSource
{
    // 340 nonces per refill; small enough to stay cache-resident per thread.
    private const int BufferLength = 12 * 340;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_position;

    /// <summary>Fills <paramref name="nonce"/> with fresh random bytes never handed out before.</summary>
    internal static void Fill(Span<byte> nonce)
    {
        if (nonce.Length > BufferLength)
        {
            RandomNumberGenerator.Fill(nonce);
            return;
        }

        byte[]? buffer = t_buffer;
        int position = t_position;
        if (buffer is null || position + nonce.Length > buffer.Length)
        {
            buffer ??= t_buffer = new byte[BufferLength];
            RandomNumberGenerator.Fill(buffer);
            position = 0;
        }

        buffer.AsSpan(position, nonce.Length).CopyTo(nonce);
        t_position = position + nonce.Length;
    }
}
