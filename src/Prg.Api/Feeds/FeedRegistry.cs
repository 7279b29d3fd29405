// The cap on open feeds (event streams and waiting long-polls) and their counters in /metrics.
using System.Buffers;
using System.Text;
using Prg.Api.Metrics;

namespace Prg.Api.Feeds;

public sealed class FeedRegistry(int maxSubscribers)
{
    private long _open;
    private long _opened;
    private long _refused;
    private long _cutOff;
    private long _rendered;
    private static readonly double[] s_deliveryBounds = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
    private readonly long[] _delivery = new long[s_deliveryBounds.Length + 1];
    private long _deliveryMicros;

    public long Open => Interlocked.Read(ref _open);

    /// <summary>Takes a feed slot; false (counted) when max_subscribers feeds are open.</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) > maxSubscribers)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refused);
            return false;
        }
        Interlocked.Increment(ref _opened);
        return true;
    }

    public void Close() => Interlocked.Decrement(ref _open);

    /// <summary>A subscriber's queued events passed feeds.subscriber_buffer and it was disconnected.</summary>
    public void CountCutOff() => Interlocked.Increment(ref _cutOff);

    /// <summary>An event was read, decrypted and rendered (once per feed at the live end, once per subscriber behind it).</summary>
    public void CountRendered() => Interlocked.Increment(ref _rendered);

    /// <summary>A write to a subscriber carried shared events, the oldest of them durable since <paramref name="waited"/> ago.</summary>
    public void RecordDelivery(TimeSpan waited)
    {
        var seconds = waited.TotalSeconds;
        var bucket = 0;
        while (bucket < s_deliveryBounds.Length && seconds > s_deliveryBounds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _delivery[bucket]);
        Interlocked.Add(ref _deliveryMicros, (long)(seconds * 1e6));
    }

    public void Write(IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(512);
        PrometheusText.Gauge(sb, "prg_feeds_open", "Open feeds (event streams and waiting long-polls).", Open);
        PrometheusText.Counter(sb, "prg_feeds_opened_total", "Feeds opened.", Interlocked.Read(ref _opened));
        PrometheusText.Counter(sb, "prg_feeds_refused_total", "Feeds refused because feeds.max_subscribers were open.", Interlocked.Read(ref _refused));
        PrometheusText.Counter(sb, "prg_feeds_cut_off_total", "Subscribers disconnected for not reading (feeds.subscriber_buffer).", Interlocked.Read(ref _cutOff));
        PrometheusText.Counter(sb, "prg_feeds_events_rendered_total", "Feed events read, decrypted and rendered (shared by a feed's subscribers at the live end).", Interlocked.Read(ref _rendered));
        PrometheusText.Header(sb, "prg_feeds_delivery_seconds", "histogram", "Per write to a live subscriber: from its oldest event becoming durable to the write (server side).");
        PrometheusText.HistogramSeries(sb, "prg_feeds_delivery_seconds", "", s_deliveryBounds, b => Interlocked.Read(ref _delivery[b]), Interlocked.Read(ref _deliveryMicros) / 1e6);
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }
}
