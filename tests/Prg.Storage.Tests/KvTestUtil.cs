// Helpers shared by the DurableKv tests: small-footprint options, UTF-8 shorthands, crash copies.
using System.Text;
using Prg.Storage.Engine;

namespace Prg.Storage.Tests;

internal static class KvTestUtil
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(byte[] b) => Encoding.UTF8.GetString(b);

    /// <summary>Options small enough for many stores to coexist in one test run.</summary>
    public static DurableKvOptions SmallOptions(string dir, Durability durability = Durability.Fsync) => new()
    {
        Directory = dir,
        Durability = durability,
        // Tests take checkpoints explicitly; background ones would make replay counts nondeterministic.
        CheckpointInterval = TimeSpan.FromHours(1),
        CheckpointLogBytes = 1L << 40,
        MemorySizeBits = 22,
        PageSizeBits = 18,
        SegmentSizeBits = 22,
        IndexSizeBits = 16,
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
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            FileStream src;
            try
            {
                src = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                // FasterLog removes superseded commit records in the background; the newer one is copied.
                continue;
            }
            using (src)
            using (var dst = new FileStream(file.Replace(from, to, StringComparison.Ordinal), FileMode.Create, FileAccess.Write))
                src.CopyTo(dst);
        }
    }

    public static string? Get(DurableKv kv, string key) => kv.TryGet(B(key), out byte[] v) ? S(v) : null;
}
