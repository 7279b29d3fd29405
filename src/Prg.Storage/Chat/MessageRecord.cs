// Public view of a stored message (or one version of it), as the Api layer reads it.
namespace Prg.Storage.Chat;

/// <summary>A message or one of its versions. <see cref="Body"/> is opaque bytes owned by the caller.</summary>
public sealed record MessageRecord
{
    public required string ThreadId { get; init; }
    /// <summary>The message key <c>&lt;ts&gt;-&lt;seq&gt;</c>.</summary>
    public required string Key { get; init; }
    public long Seq { get; init; }
    public required string Author { get; init; }
    public long CreatedTs { get; init; }
    public long UpdatedTs { get; init; }
    public bool Deleted { get; init; }
    /// <summary>When it was soft-deleted (Unix ns), 0 if live.</summary>
    public long DeletedTs { get; init; }
    /// <summary>1 for the original, incremented by every edit.</summary>
    public int Version { get; init; }
    public required byte[] Body { get; init; }
}
