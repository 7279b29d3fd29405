// A minimal streaming ustar writer for backup archives: the archive is written as the bytes arrive,
// each entry's SHA-256 computed on the way, so nothing is buffered (System.Formats.Tar's writer wants
// a seekable or in-memory data stream per entry). The archive reads back with any tar.
using System.Security.Cryptography;
using System.Text;

namespace Prg.Api.Operations;

public sealed class BackupTarWriter(Stream output)
{
    private const int Block = 512;
    private const long MaxOctalSize = (1L << 33) - 1; // 11 octal digits; larger sizes use base-256
    private readonly byte[] _header = new byte[Block];
    private IncrementalHash? _hash;
    private long _remaining;
    private long _written;

    /// <summary>Bytes written to the archive so far.</summary>
    public long Position => _written;

    /// <summary>Starts an entry of exactly <paramref name="size"/> bytes, written with <see cref="WriteAsync"/>.</summary>
    public async Task BeginFileAsync(string path, long size, CancellationToken ct)
    {
        if (_hash is not null)
        {
            throw new InvalidOperationException("The previous entry is not finished.");
        }

        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length > 100)
        {
            throw new InvalidOperationException($"archive entry name longer than 100 bytes: {path}");
        }

        Array.Clear(_header);
        name.CopyTo(_header, 0);
        Octal(100, 8, 384); // mode 0600
        Octal(108, 8, 0);
        Octal(116, 8, 0);
        if (size <= MaxOctalSize)
        {
            Octal(124, 12, size);
        }
        else
        {
            _header[124] = 0x80;
            for (int i = 0; i < 8; i++)
            {
                _header[135 - i] = (byte)(size >> (8 * i));
            }
        }
        Octal(136, 12, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        _header[156] = (byte)'0';
        "ustar\0"u8.CopyTo(_header.AsSpan(257));
        "00"u8.CopyTo(_header.AsSpan(263));
        _header.AsSpan(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in _header)
        {
            sum += b;
        }

        Octal(148, 7, sum);
        await WriteRawAsync(_header, ct).ConfigureAwait(false);
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _remaining = size;
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (_hash is null || data.Length > _remaining)
        {
            throw new InvalidOperationException("More data than the entry's size.");
        }

        _hash.AppendData(data.Span);
        _remaining -= data.Length;
        await WriteRawAsync(data, ct).ConfigureAwait(false);
    }

    /// <summary>Pads the entry to a whole block and returns its SHA-256 (lowercase hex).</summary>
    public async Task<string> EndFileAsync(CancellationToken ct)
    {
        if (_hash is null || _remaining != 0)
        {
            throw new InvalidOperationException($"The entry is {_remaining} bytes short of its size.");
        }

        string sha = Convert.ToHexStringLower(_hash.GetHashAndReset());
        _hash.Dispose();
        _hash = null;
        int pad = (int)((Block - _written % Block) % Block);
        if (pad > 0)
        {
            await WriteRawAsync(new byte[pad], ct).ConfigureAwait(false);
        }

        return sha;
    }

    public async Task<string> AddFileAsync(string path, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        await BeginFileAsync(path, content.Length, ct).ConfigureAwait(false);
        await WriteAsync(content, ct).ConfigureAwait(false);
        return await EndFileAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The end-of-archive marker (two zero blocks).</summary>
    public Task FinishAsync(CancellationToken ct) => WriteRawAsync(new byte[2 * Block], ct);

    private async Task WriteRawAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await output.WriteAsync(data, ct).ConfigureAwait(false);
        _written += data.Length;
    }

    private void Octal(int offset, int width, long value)
    {
        string digits = Convert.ToString(value, 8).PadLeft(width - 1, '0');
        Encoding.ASCII.GetBytes(digits.AsSpan(), _header.AsSpan(offset, width - 1));
        _header[offset + width - 1] = 0;
    }
}
