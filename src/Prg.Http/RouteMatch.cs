// What the router found for a request.
namespace Prg.Http;

public enum RouteMatchKind : byte
{
    Found,
    NotFound,
    MethodNotAllowed,
    InvalidPath,
}

public readonly record struct RouteMatch(RouteMatchKind Kind, RequestHandler? Handler, string? Allow, object? Tag)
{
    public static readonly RouteMatch NotFound = new(RouteMatchKind.NotFound, null, null, null);
    public static readonly RouteMatch InvalidPath = new(RouteMatchKind.InvalidPath, null, null, null);
}
