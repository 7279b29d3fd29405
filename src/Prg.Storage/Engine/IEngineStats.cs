// The storage engine's counters, as metrics read them: numbers only, no way to read or write data.
namespace Prg.Storage.Engine;

/// <summary>Counters since open; DurableKv's properties of the same names say what each counts.</summary>
public interface IEngineStats
{
    long Commits { get; }
    long Fsyncs { get; }
    long BytesAppended { get; }
    long Checkpoints { get; }
    long Compactions { get; }
    long MaintenanceErrors { get; }
    long TornTailRecords { get; }
    IReadOnlyList<(long From, long To)> SalvagedRanges { get; }
    long WalBytesSinceCheckpoint { get; }
    long HybridLogBytes { get; }
    long LastRecoveryReplayCount { get; }

    /// <summary>What a page read prefetches: 0 nothing, 1 hash buckets, 2 buckets and in-memory records (FASTER's internals recognised).</summary>
    int PagePrefetchStages { get; }
    LatencyHistogram CommitLatency { get; }
}
