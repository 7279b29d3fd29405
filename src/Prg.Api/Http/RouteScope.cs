// Which keys reach a route (spec/api.md §2 path scopes).
namespace Prg.Api.Http;

public enum RouteScope : byte
{
    /// <summary>No key needed (/healthz, /readyz).</summary>
    Public,

    /// <summary>/admin/*: admin keys only.</summary>
    Admin,

    /// <summary>/backend/*: backend keys only.</summary>
    Backend,

    /// <summary>/frontend/* and /v1/*: frontend or backend keys, acting for a user.</summary>
    User,
}
