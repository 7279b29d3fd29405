// A stored title or body that key rotation could not re-seal (it failed to open); left as it is.
namespace Prg.Api.Chat;

/// <summary>What could not be re-sealed: a message version, or the title when <paramref name="MessageKey"/> is null.</summary>
public readonly record struct ResealFailure(string? MessageKey, int Version, string Reason);
