// A reserved message position: the seq and key a message will be written under.
namespace Prg.Storage.Chat;

/// <summary>
/// Returned by <see cref="ChatStore.ReserveMessage"/>; pass it to <see cref="ChatStore.CreateMessageAsync"/>.
/// The key is final, so the caller can bind it into the bytes it writes (the Api seals the body with the key in its AAD).
/// </summary>
public readonly record struct MessageSlot(string ThreadId, string Key, long Seq, long Ts);
