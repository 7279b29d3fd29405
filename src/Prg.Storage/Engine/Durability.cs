// When a DurableKv commit is acknowledged relative to its write-ahead-log record reaching disk.
namespace Prg.Storage.Engine;

/// <summary>How long a commit waits before it is acknowledged.</summary>
public enum Durability
{
    /// <summary>
    /// A commit completes only after its WAL record is fsynced (group commit shares one fsync among
    /// all concurrent committers). Nothing acknowledged is ever lost.
    /// </summary>
    Fsync = 0,

    /// <summary>
    /// A commit completes as soon as it is applied (visible to reads). A background flush every
    /// <see cref="DurableKvOptions.RelaxedFlushInterval"/> makes it durable, so a crash loses at most
    /// the commits of that window (plus the one fsync in flight). Batches stay all-or-nothing.
    /// </summary>
    Relaxed = 1,
}
