// The audit trail of key operations, shared by `prg kms` and the admin key endpoints of `prg serve`:
// one JSON object per line (time, caller, operation, key id, result), appended to a 0600 file.
// Callers pass ids and outcomes only, never key material or data. Lines are queued and written by
// one background writer that fsyncs once per batch, so a request never waits for the disk; the file
// is rotated by size (path.1 … path.N, oldest dropped).
using System.Text.Json;
using System.Threading.Channels;

namespace Prg.Crypto;

/// <summary>An append-only JSON-lines audit log, fsynced in batches and rotated by size.</summary>
public sealed class AuditLog : IAsyncDisposable
{
    /// <summary>Default rotation size: 64 MiB.</summary>
    public const long DefaultMaxBytes = 64L << 20;

    /// <summary>Default number of rotated files kept.</summary>
    public const int DefaultKeep = 5;

    private const int QueueCapacity = 64 * 1024;

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _keep;
    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Task _writer;
    private FileStream _file;

    private AuditLog(string path, long maxBytes, int keep)
    {
        _path = path;
        _maxBytes = maxBytes;
        _keep = keep;
        _file = OpenFile(path);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Where the log is written.</summary>
    public string Path => _path;

    /// <summary>Opens (appending to) or creates the log with mode 0600.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened.</exception>
    public static AuditLog Open(string path, long maxBytes = DefaultMaxBytes, int keep = DefaultKeep)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        return new AuditLog(System.IO.Path.GetFullPath(path), maxBytes, keep);
    }

    /// <summary>Queues one line. Never blocks on the disk (only if 64K lines are already waiting).</summary>
    /// <param name="caller">Who asked: <c>uid:1000</c>, a certificate subject, an admin key's role.</param>
    /// <param name="operation">What was asked, e.g. <c>encrypt_batch</c>.</param>
    /// <param name="keyId">The key id concerned, or null.</param>
    /// <param name="result"><c>ok</c> or the error code.</param>
    /// <param name="items">Items in a batch, or null.</param>
    public void Record(string caller, string operation, string? keyId, string result, int? items = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(192);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ts"u8, DateTimeOffset.UtcNow);
            writer.WriteString("caller"u8, caller);
            writer.WriteString("op"u8, operation);
            if (keyId is not null)
            {
                writer.WriteString("key_id"u8, keyId);
            }

            if (items is { } count)
            {
                writer.WriteNumber("items"u8, count);
            }

            writer.WriteString("result"u8, result);
            writer.WriteEndObject();
        }

        byte[] line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        if (!_queue.Writer.TryWrite(line))
        {
            _queue.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Writes and fsyncs everything queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        ChannelReader<byte[]> reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out byte[]? line))
                {
                    if (_file.Length > 0 && _file.Length + line.Length > _maxBytes)
                    {
                        Rotate();
                    }

                    _file.Write(line);
                }

                _file.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                // The audit trail must not take the key service down; say so where an operator looks.
                await Console.Error.WriteLineAsync(
                    $"{{\"level\":\"error\",\"msg\":\"audit log write failed\",\"path\":\"{JsonEncodedText.Encode(_path)}\",\"error\":\"{JsonEncodedText.Encode(e.Message)}\"}}").ConfigureAwait(false);
            }
        }
    }

    private void Rotate()
    {
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Delete($"{_path}.{_keep}");
        for (int i = _keep - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}");
            }
        }

        File.Move(_path, _path + ".1");
        _file = OpenFile(_path);
    }

    private static FileStream OpenFile(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        Share = FileShare.Read,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        BufferSize = 0,
    });
}
