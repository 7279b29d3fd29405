// One audit line per key service request (healthz aside): who asked (certificate subject on TLS,
// peer uid on the Unix socket), which operation, which key id(s), and the outcome code. Handlers
// name their key ids through HttpContext.Items (a KmsAuditSubject); nothing else is recorded.
using Prg.Crypto;
using Prg.Http;

namespace Prg.Kms;

/// <summary>The key id(s) and item count a request concerned.</summary>
internal sealed record KmsAuditSubject(string KeyId, int? Items = null)
{
    public static KmsAuditSubject ForBatch(List<(string KeyId, List<int> Indexes)> groups, int items) =>
        new(string.Join(',', groups.Select(g => g.KeyId)), items);
}

internal static class KmsAudit
{
    public static void Record(AuditLog audit, HttpContext context, string result)
    {
        string path = context.Request.PathString;
        if (path == KmsProtocol.HealthPath)
        {
            return;
        }

        var subject = context.Items as KmsAuditSubject;
        audit.Record(CallerOf(context.Connection), path.TrimStart('/'), subject?.KeyId, result, subject?.Items);
    }

    private static string CallerOf(ConnectionInfo connection)
    {
        if (KmsTlsTransport.CallerOf(connection.Stream) is { } certificateSubject)
        {
            return "cert:" + certificateSubject;
        }

        if (PeerCredentials.TryGet(connection.Socket, out _, out uint uid, out _))
        {
            return "uid:" + uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return connection.RemoteAddress is { } address ? "tcp:" + address : "unknown";
    }
}
