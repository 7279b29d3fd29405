// Helpers shared by the DurableKv tests: small-footprint options, UTF-8 shorthands, crash copies.
using System.Text;
using Prg.Storage.Engine;

namespace Prg.Storage.Tests;

internal static class KvTestUtil
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(byte[] b) => Encoding.UTF8.GetString(b);

    /// <summary>Options small enough for many stores to coexist in one test run.</summary>
    public static DurableKvOptions SmallOptions(string dir, Durability durability = Durability.Fsync, bool salvage = false, Action<string>? recoveryLog = null, int indexSizeBits = 16) => new()
    {
        Directory = dir,
        Durability = durability,
        Salvage = salvage,
        RecoveryLog = recoveryLog,
        // Tests take checkpoints explicitly; background ones would make replay counts nondeterministic.
        CheckpointInterval = TimeSpan.FromHours(1),
        CheckpointLogBytes = 1L << 40,
        MemorySizeBits = 22,
        PageSizeBits = 18,
        SegmentSizeBits = 22,
        IndexSizeBits = indexSizeBits,
        WalMemorySizeBits = 20,
        WalPageSizeBits = 18,
        WalSegmentSizeBits = 22,
    };

    /// <summary>Options with 4 KB pages and 16 KB segments so compaction and truncation show on disk quickly.</summary>
    public static DurableKvOptions TinyOptions(string dir) => new()
    {
        Directory = dir,
        CheckpointInterval = TimeSpan.FromHours(1),
        CheckpointLogBytes = 1L << 40,
        MemorySizeBits = 16,
        PageSizeBits = 12,
        SegmentSizeBits = 14,
        IndexSizeBits = 14,
        WalMemorySizeBits = 14,
        WalPageSizeBits = 12,
        WalSegmentSizeBits = 14,
    };

    /// <summary>
    /// Copies a live store's directory as a crash would leave it: everything acknowledged is on disk,
    /// nothing was flushed or checkpointed at shutdown.
    /// </summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "LOCK" || file.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue; // held (record lock) by the live store, or a segment being prepared: a crash leaves neither in use
            }

            FileStream src;
            try
            {
                src = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                // FASTER removes superseded checkpoint files in the background; the newer one is copied.
                continue;
            }
            using (src)
            using (var dst = new FileStream(file.Replace(from, to, StringComparison.Ordinal), FileMode.Create, FileAccess.Write))
            {
                src.CopyTo(dst);
            }
        }
    }

    /// <summary>Size of the frame in front of each WAL record (length, CRC-32C, LSN, durable LSN).</summary>
    public const int WalHeaderSize = 24;

    /// <summary>Bytes a WAL record with a payload of <paramref name="payloadLength"/> occupies (8-byte aligned).</summary>
    public static int FramedSize(int payloadLength) => (WalHeaderSize + payloadLength + 7) & ~7;

    public static string WalSegmentPath(string storeDir, long index) => Path.Combine(storeDir, "wal", $"{index:D12}.wal");

    public static void FlipByte(string file, long offset)
    {
        using var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        fs.Position = offset;
        int b = fs.ReadByte();
        fs.Position = offset;
        fs.WriteByte((byte)(b ^ 0xFF));
    }

    public static string? Get(DurableKv kv, string key) => kv.TryGet(B(key), out byte[] v) ? S(v) : null;
}
