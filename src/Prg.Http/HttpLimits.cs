// Size limits the parser enforces; defaults follow common servers (nginx/Kestrel) and spec/api.md §1.
namespace Prg.Http;

public sealed class HttpLimits
{
    public int MaxRequestLineLength { get; init; } = 8 * 1024;
    public int MaxHeaderSectionLength { get; init; } = 32 * 1024;
    public int MaxHeaderCount { get; init; } = 100;
    public long MaxBodyLength { get; init; } = 100 * 1024;
    public int MaxChunkExtensionLength { get; init; } = 1024;
}
