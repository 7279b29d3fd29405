// What a thread-feed event says happened; stored as one byte in the event record.
namespace Prg.Storage.Chat;

public enum ChatEventKind : byte
{
    MessageCreated = 1,
    MessageUpdated = 2,
    MessageDeleted = 3,
    ThreadUpdated = 4,
    ThreadDeleted = 5,
}
