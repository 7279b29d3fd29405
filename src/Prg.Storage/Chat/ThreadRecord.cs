// Public view of a stored thread, as the Api layer reads it.
namespace Prg.Storage.Chat;

/// <summary>A thread. <see cref="Title"/> and <see cref="AppData"/> are opaque bytes owned by the caller.</summary>
public sealed record ThreadRecord
{
    public required string Id { get; init; }
    public required string Author { get; init; }
    public long CreatedTs { get; init; }
    public long UpdatedTs { get; init; }
    public bool Deleted { get; init; }
    /// <summary>When it was soft-deleted (Unix ns), 0 if live.</summary>
    public long DeletedTs { get; init; }
    public required byte[] Title { get; init; }
    /// <summary>Bytes the caller keeps with the thread (the Api: its key material); stored as given, never read here.</summary>
    public required byte[] AppData { get; init; }
    /// <summary>Live (non-deleted) messages in the thread.</summary>
    public long LiveMessages { get; init; }
    /// <summary>Highest message sequence number ever created in the thread.</summary>
    public long MessageSeqHighWater { get; init; }
    /// <summary>The owner's read mark (a message key), null if nothing was marked read.</summary>
    public string? LastRead { get; init; }
    /// <summary>Messages posted after <see cref="LastRead"/> (at most the live ones).</summary>
    public long Unread { get; init; }
}
