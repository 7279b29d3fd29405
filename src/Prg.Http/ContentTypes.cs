// Pre-encoded Content-Type values.
namespace Prg.Http;

public static class ContentTypes
{
    public static readonly ReadOnlyMemory<byte> Json = "application/json"u8.ToArray();
    public static readonly ReadOnlyMemory<byte> PlainText = "text/plain; charset=utf-8"u8.ToArray();
    public static readonly ReadOnlyMemory<byte> Prometheus = "text/plain; version=0.0.4; charset=utf-8"u8.ToArray();
}
