// Settings for ChatStore: its DurableKv, lock striping and the bounds on per-message and per-page work.
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

public sealed class ChatStoreOptions
{
    /// <summary>The underlying store (directory, durability, checkpoint and memory settings).</summary>
    public required DurableKvOptions Kv { get; init; }

    /// <summary>
    /// Lock stripes for threads and (separately) users; a power of two. The live counters are stored per
    /// thread stripe, so a store must be reopened with the same value.
    /// </summary>
    public int LockStripes { get; init; } = 1024;

    /// <summary>Versions kept per message, the current one included; an edit drops the oldest beyond it. 0: keep all.</summary>
    public int MaxVersionsPerMessage { get; init; } = 100;

    /// <summary>
    /// Index chunks (64 message positions each) one side of a created-order page may read; past that the
    /// page ends early with a cursor, so long runs of deleted messages cannot make a page expensive.
    /// </summary>
    public int PageScanChunks { get; init; } = 64;

    /// <summary>Events each thread's feed keeps (1 to ChatStore.MaxFeedRetention); an older cursor gets a reset.</summary>
    public int FeedRetention { get; init; } = 1000;
}
