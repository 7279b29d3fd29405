// What one load generator thread observed: latency per request kind, status counts per kind, and
// transport errors; merged across threads for the report.
namespace Prg.Bench;

internal sealed class HttpLoadStats
{
    public const int KindCount = 3;
    public const int MaxStatus = 600;

    public LatencyHistogram[] Latency { get; } = [new(), new(), new()];

    /// <summary>[kind][status] → responses.</summary>
    public long[][] Statuses { get; } = [new long[MaxStatus], new long[MaxStatus], new long[MaxStatus]];

    /// <summary>Transport and framing failures by reason → requests lost to them (at least 1 per event).</summary>
    public Dictionary<string, long> TransportErrors { get; } = new(StringComparer.Ordinal);

    public long Reconnects { get; set; }

    /// <summary>The status a successful response of <paramref name="kind"/> has.</summary>
    public static int ExpectedStatus(RequestKind kind) => kind == RequestKind.Get ? 200 : 201;

    public void CountTransportError(string reason, long requests)
    {
        TransportErrors[reason] = TransportErrors.GetValueOrDefault(reason) + Math.Max(1, requests);
    }

    public void Add(HttpLoadStats other)
    {
        for (int k = 0; k < KindCount; k++)
        {
            Latency[k].Add(other.Latency[k]);
            for (int s = 0; s < MaxStatus; s++)
            {
                Statuses[k][s] += other.Statuses[k][s];
            }
        }

        foreach ((string reason, long count) in other.TransportErrors)
        {
            TransportErrors[reason] = TransportErrors.GetValueOrDefault(reason) + count;
        }

        Reconnects += other.Reconnects;
    }

    public long Responses(RequestKind kind) => Statuses[(int)kind].Sum();

    public long Ok(RequestKind kind) => Statuses[(int)kind][ExpectedStatus(kind)];
}
