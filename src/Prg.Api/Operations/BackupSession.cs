// One online backup in progress on the server: the pinned snapshot, its counts, and when it was last used.
using System.Diagnostics;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Api.Operations;

public sealed class BackupSession(string id, StoreSnapshot snapshot, StoreStats stats, long createdTs) : IDisposable
{
    private long _lastUsed = Stopwatch.GetTimestamp();

    public string Id { get; } = id;

    public StoreSnapshot Snapshot { get; } = snapshot;

    public StoreStats Stats { get; } = stats;

    /// <summary>Unix nanoseconds when the snapshot was taken.</summary>
    public long CreatedTs { get; } = createdTs;

    public TimeSpan Idle => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public void Touch() => Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());

    public void Dispose() => Snapshot.Dispose();
}
