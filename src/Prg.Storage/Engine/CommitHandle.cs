// Identifies an applied-but-maybe-not-yet-durable commit so its durability can be awaited later.
namespace Prg.Storage.Engine;

/// <summary>
/// Returned by <see cref="DurableKv.Apply"/>: the WAL address the commit's record ends at.
/// Await <see cref="DurableKv.WaitDurableAsync"/> with it once any caller-held locks are released.
/// </summary>
public readonly record struct CommitHandle(long WalAddress);
