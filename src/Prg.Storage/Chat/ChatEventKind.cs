// What a feed event says happened; stored as one byte in the event record. The inbox feed also has
// ThreadCreated and Read; its MessageCreated is a summary of a post to one of the user's threads.
namespace Prg.Storage.Chat;

public enum ChatEventKind : byte
{
    MessageCreated = 1,
    MessageUpdated = 2,
    MessageDeleted = 3,
    ThreadUpdated = 4,
    ThreadDeleted = 5,
    ThreadCreated = 6,
    Read = 7,
}
