// Per-route facts the pipeline needs before the handler runs: scope and metrics label.
namespace Prg.Api.Http;

public sealed class RouteInfo(string name, RouteScope scope)
{
    public string Name { get; } = name;
    public RouteScope Scope { get; } = scope;

    /// <summary>Index into the metrics tables (assigned when routes are registered).</summary>
    public int MetricsIndex { get; set; }
}
