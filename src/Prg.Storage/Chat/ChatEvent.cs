// One durable thread-feed event as the store keeps it: a pointer (thread, message key), never a copy
// of the stored body; the Api layer reads the current record to build the event's JSON.
namespace Prg.Storage.Chat;

/// <summary>An event at <paramref name="Position"/> of a thread's feed (positions start at 1, strictly increasing).</summary>
public sealed record ChatEvent(long Position, ChatEventKind Kind, string ThreadId, string? MessageKey, long Ts);
