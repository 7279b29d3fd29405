// The HTTP transport's connection counters appended to /metrics: connections open, connections
// refused at accept, and connections closed because the client was too slow to send or to read.
using System.Buffers;
using System.Globalization;
using System.Text;
using Prg.Http;

namespace Prg.Api.Metrics;

public sealed class ConnectionMetrics(HttpServer server)
{
    public void Write(IBufferWriter<byte> output)
    {
        var counters = server.Counters;
        var sb = new StringBuilder(1024);
        sb.Append(CultureInfo.InvariantCulture,
            $"# HELP prg_http_connections Connections open.\n# TYPE prg_http_connections gauge\nprg_http_connections {server.OpenConnections}\n");
        sb.Append("# HELP prg_http_connections_refused_total Connections refused with 503 at accept.\n# TYPE prg_http_connections_refused_total counter\n");
        Labelled(sb, "prg_http_connections_refused_total", "max_connections", counters.RefusedAtCapacity);
        Labelled(sb, "prg_http_connections_refused_total", "max_connections_per_ip", counters.RefusedPerAddress);
        sb.Append("# HELP prg_http_connections_closed_total Connections the server closed on a slow client.\n# TYPE prg_http_connections_closed_total counter\n");
        Labelled(sb, "prg_http_connections_closed_total", "request_timeout", counters.RequestTimeouts);
        Labelled(sb, "prg_http_connections_closed_total", "write_timeout", counters.WriteTimeouts);
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static void Labelled(StringBuilder sb, string name, string reason, long value) =>
        sb.Append(CultureInfo.InvariantCulture, $"{name}{{reason=\"{reason}\"}} {value}\n");
}
