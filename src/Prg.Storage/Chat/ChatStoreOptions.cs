// Settings for ChatStore: its DurableKv and lock striping.
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

public sealed class ChatStoreOptions
{
    /// <summary>The underlying store (directory, durability, checkpoint and memory settings).</summary>
    public required DurableKvOptions Kv { get; init; }

    /// <summary>Lock stripes for threads and (separately) users; a power of two.</summary>
    public int LockStripes { get; init; } = 1024;
}
