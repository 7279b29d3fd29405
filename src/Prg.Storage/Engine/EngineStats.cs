// A snapshot of the storage engine's counters for metrics, so callers read numbers, not the engine.
namespace Prg.Storage.Engine;

/// <summary>Counters since open (see the DurableKv property of the same name for each).</summary>
public sealed record EngineStats
{
    public long Commits { get; init; }
    public long Fsyncs { get; init; }
    public long BytesAppended { get; init; }
    public long Checkpoints { get; init; }
    public long Compactions { get; init; }
    public long MaintenanceErrors { get; init; }
    public long TornTailRecords { get; init; }
    public long SalvagedRanges { get; init; }
    public long WalBytesSinceCheckpoint { get; init; }
    public long LogBytes { get; init; }
    public long RecoveryReplayedRecords { get; init; }
    public required LatencyHistogram CommitLatency { get; init; }

    internal static EngineStats Of(DurableKv kv) => new()
    {
        Commits = kv.Commits,
        Fsyncs = kv.Fsyncs,
        BytesAppended = kv.BytesAppended,
        Checkpoints = kv.Checkpoints,
        Compactions = kv.Compactions,
        MaintenanceErrors = kv.MaintenanceErrors,
        TornTailRecords = kv.TornTailRecords,
        SalvagedRanges = kv.SalvagedRanges.Count,
        WalBytesSinceCheckpoint = kv.WalBytesSinceCheckpoint,
        LogBytes = kv.HybridLogBytes,
        RecoveryReplayedRecords = kv.LastRecoveryReplayCount,
        CommitLatency = kv.CommitLatency,
    };
}
