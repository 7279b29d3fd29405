// The Prometheus text exposition format pieces the metric writers share: counters, gauges and
// cumulative histograms, formatted invariantly.
using System.Globalization;
using System.Text;

namespace Prg.Api.Metrics;

internal static class PrometheusText
{
    public static void Counter(StringBuilder sb, string name, string help, double value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    public static void Gauge(StringBuilder sb, string name, string help, double value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");

    public static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    /// <summary>
    /// One histogram series: cumulative <c>_bucket</c> lines per upper bound (then +Inf), <c>_sum</c>,
    /// <c>_count</c>. <paramref name="countIn"/> gives the non-cumulative count of bucket i (i = bounds.Count is +Inf);
    /// <paramref name="labels"/> is empty or <c>key="value"</c> pairs.
    /// </summary>
    public static void HistogramSeries(StringBuilder sb, string name, string labels, IReadOnlyList<double> bounds, Func<int, long> countIn, double sumSeconds)
    {
        string prefix = labels.Length == 0 ? "" : labels + ",";
        long cumulative = 0;
        for (int b = 0; b <= bounds.Count; b++)
        {
            cumulative += countIn(b);
            string le = b < bounds.Count ? bounds[b].ToString(CultureInfo.InvariantCulture) : "+Inf";
            sb.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{le}\"}} {cumulative}\n");
        }
        string braces = labels.Length == 0 ? "" : "{" + labels + "}";
        sb.Append(CultureInfo.InvariantCulture, $"{name}_sum{braces} {sumSeconds}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{name}_count{braces} {cumulative}\n");
    }
}
