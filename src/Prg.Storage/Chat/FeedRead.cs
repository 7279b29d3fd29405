// The answer to "events of a thread after position N": the events, or Reset when they cannot be given
// without a gap (retention has dropped some of them, or N is not a position the feed has reached).
namespace Prg.Storage.Chat;

/// <param name="Events">Events after the cursor, oldest first, none past the durable position.</param>
/// <param name="Reset">The cursor is older than the oldest kept event or newer than the newest: reload and resume from <paramref name="Durable"/>.</param>
/// <param name="Durable">The feed's newest durable position when this was read.</param>
public sealed record FeedRead(IReadOnlyList<ChatEvent> Events, bool Reset, long Durable);
